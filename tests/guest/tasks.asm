; ghost86 system test guest: task switches (SDM Vol.3 ch.7; Vol.2 JMP, CALL, IRET, INT n): JMP
; to a TSS and back, CALL through a task gate and IRET back through the link with NT, an
; exception through an IDT task gate with its error code on the new task's stack, CR3 and LDT
; switches, busy-bit and limit checks, #TS while loading the new task's segments (raised in the
; new task), and a 16-bit TSS.
%include "lib/guest.inc"

%define TSS_A    0x30           ; 32-bit TSS, task_a, LDT = LDT_SEL
%define TSS_B    0x38           ; 32-bit TSS, task_b, CR3 = PD2
%define GATE_B   0x40           ; task gate -> TSS_B
%define TSS_C    0x48           ; 16-bit TSS, task_c
%define LDT_SEL  0x50           ; LDT with one flat data segment (selector 0Ch)
%define TSS_D    0x58           ; 32-bit TSS, exception task
%define TSS_E    0x60           ; 32-bit TSS with broken segment fields
%define TSS_SHORT 0x68          ; 32-bit TSS, limit 66h
%define TSS_NP   0x70           ; 32-bit TSS, not present
%define ROM16    0x78           ; 16-bit ring-0 code, base F0000h
%define DATA16   0x80           ; 16-bit ring-0 data (B = 0), base 0
%define GATE_BAD 0x88           ; task gate -> a data segment
%define TSS_DF   0x90           ; 32-bit TSS, double-fault task
%define TSS_G    0x98           ; 32-bit TSS, task of INT 50h

%define A_BASE   0x4000
%define B_BASE   0x4100
%define C_BASE   0x4200
%define D_BASE   0x4300
%define E_BASE   0x4400
%define LDT_BASE 0x4500
%define F_BASE   0x4600
%define G_BASE   0x4700
%define PD1      0x10000        ; identity 0-4 MiB
%define PD2      0x11000        ; identity 0-4 MiB, and 4-8 MiB aliasing 0-4 MiB

%define v_eax    TEST_VARS + 0
%define v_tr     TEST_VARS + 4
%define v_ldtr   TEST_VARS + 8
%define v_flags  TEST_VARS + 12
%define v_cr0    TEST_VARS + 16
%define v_cr3    TEST_VARS + 20
%define v_link   TEST_VARS + 24
%define v_err    TEST_VARS + 28
%define v_alias  TEST_VARS + 32
%define v_fs     TEST_VARS + 36
%define v_eip    TEST_VARS + 40
%define v_ax16   TEST_VARS + 44
%define marker   TEST_VARS + 48
%define v_cs3    TEST_VARS + 64
%define resume   TEST_VARS + 68
%define ring0_esp TEST_VARS + 72

; Type byte (P, DPL, S, type) of a GDT descriptor.
%define TYPE(sel) byte [GDT_BASE + (sel) + 5]

; CHECK_TYPE sel, value, name
%macro CHECK_TYPE 3
        movzx eax, TYPE(%1)
        CHECK_EQ eax, %2, %3
%endmacro

test_main:
        mov esi, ROM_BASE + descs
        mov edi, GDT_BASE + TSS_A
        mov ecx, (descs_end - descs) / 4
        rep movsd
        mov dword [LDT_BASE], 0         ; LDT: entry 0 null, entry 1 flat ring-0 data
        mov dword [LDT_BASE + 4], 0
        mov dword [LDT_BASE + 8], 0x0000FFFF
        mov dword [LDT_BASE + 12], 0x00CF9300
        ; Paging with 4 MiB pages: PD1 maps 0-4 MiB, PD2 also maps 4-8 MiB to 0-4 MiB.
        mov edi, PD1
        xor eax, eax
        mov ecx, 2048
        rep stosd
        mov dword [PD1], 0x87           ; 4 MiB, user, writable, present
        mov dword [PD2], 0x87
        mov dword [PD2 + 4], 0x87
        mov eax, cr4
        or eax, 0x10                    ; PSE
        mov cr4, eax
        mov eax, PD1
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [TSS_BASE + 0x1C], PD1 ; CR3 of the main task (not saved by a switch)
        mov dword [marker], 0x600DCAFE

        ; Task images.
        mov edi, A_BASE
        mov esi, ROM_BASE + task_a
        mov edx, 0x60000
        call init_tss
        mov dword [A_BASE], 0xFFFF      ; JMP leaves the link alone
        mov dword [A_BASE + 0x28], 0xA0A0 ; EAX
        mov word [A_BASE + 0x60], LDT_SEL
        mov edi, B_BASE
        mov esi, ROM_BASE + task_b
        mov edx, 0x5F000
        call init_tss
        mov dword [B_BASE + 0x1C], PD2
        mov edi, D_BASE
        mov esi, ROM_BASE + task_d
        mov edx, 0x5E000
        call init_tss
        mov edi, E_BASE
        mov esi, ROM_BASE + ts_handler  ; never runs as the task itself: EIP names the handler
        mov edx, 0x5D000
        call init_tss

        ; --- JMP to a TSS: no nesting, old task not busy, TS set, LDT switched; JMP back.
        clts
        mov ebx, 0x12345678
        jmp TSS_A:0
.back_a:
        CHECK_EQ ebx, 0x12345678, "registers restored"
        CHECK_EQ dword [v_eax], 0xA0A0, "task A EAX"
        CHECK_EQ dword [v_tr], TSS_A, "task A TR"
        CHECK_EQ dword [v_ldtr], LDT_SEL, "task A LDTR"
        CHECK_EQ dword [v_fs], 0x600DCAFE, "task A LDT data"
        test dword [v_flags], 0x4000
        jz .a_nt
        FAIL "JMP set NT"
.a_nt:  test dword [v_cr0], 8
        jnz .a_ts
        FAIL "CR0.TS"
.a_ts:  CHECK_EQ dword [v_link], 0xFFFF, "JMP wrote link"
        CHECK_EQ dword [TSS_BASE + 0x20], ROM_BASE + .back_a, "saved EIP"
        CHECK_EQ dword [TSS_BASE + 0x34], 0x12345678, "saved EBX"
        CHECK_TYPE TSS_A, 0x89, "task A not busy after JMP back"
        CHECK_TYPE SEL_TSS, 0x8B, "main busy again"
        sldt ax
        movzx eax, ax
        CHECK_EQ eax, 0, "main LDTR"
        OK "JMP TSS"

        ; --- CALL through a task gate; task B runs with CR3 = PD2 and returns by IRET.
        call GATE_B:0
.back_b:
        CHECK_EQ dword [v_tr], TSS_B, "task B TR"
        CHECK_EQ dword [v_link], SEL_TSS, "task B link"
        CHECK_EQ dword [v_cr3], PD2, "task B CR3"
        CHECK_EQ dword [v_alias], 0x600DCAFE, "task B address space"
        test dword [v_flags], 0x4000
        jnz .b_nt
        FAIL "CALL NT"
.b_nt:  pushfd
        pop eax
        test eax, 0x4000
        jz .b_nt2
        FAIL "NT after IRET"
.b_nt2: mov eax, cr3
        CHECK_EQ eax, PD1, "main CR3"
        CHECK_TYPE TSS_B, 0x89, "task B not busy after IRET"
        CHECK_TYPE SEL_TSS, 0x8B, "main busy"
        CHECK_EQ dword [B_BASE + 0x20], ROM_BASE + task_b.after, "task B saved EIP"
        OK "CALL GATE IRET"

        ; --- #GP(1230h) through a task gate in the IDT: error code on task D's stack.
        mov eax, 13
        xor ebx, ebx
        mov ecx, TSS_D | (0x85 << 16)
        call set_gate
        mov ax, 0x1230
.gp:    mov ds, ax                      ; 2 bytes; task D skips it
        mov eax, 13
        mov ebx, ROM_BASE + guest_stubs + 13 * 10
        mov ecx, SEL_CODE0 | (0x8E << 16)
        call set_gate
        CHECK_EQ dword [v_err], 0x1230, "task gate error code"
        CHECK_EQ dword [v_link], SEL_TSS, "task D link"
        CHECK_EQ dword [v_tr], TSS_D, "task D TR"
        CHECK_EQ dword [v_eip], ROM_BASE + .gp, "faulting EIP saved"
        test dword [v_flags], 0x4000
        jnz .d_nt
        FAIL "task gate NT"
.d_nt:  CHECK_TYPE TSS_D, 0x89, "task D not busy"
        OK "EXCEPTION TASK"

        ; --- Checks before the switch.
        EXPECT 13, SEL_TSS, 7           ; JMP to the running (busy) task
        jmp SEL_TSS:0
        EXPECT_TAKEN "JMP busy"
        or TYPE(TSS_B), 2               ; CALL through a gate to a busy TSS
        EXPECT 13, TSS_B, 7
        call GATE_B:0
        EXPECT_TAKEN "CALL busy"
        and TYPE(TSS_B), ~2
        EXPECT 13, TSS_A, 7             ; RPL 3 > DPL 0
        jmp (TSS_A | 3):0
        EXPECT_TAKEN "TSS RPL"
        EXPECT 13, SEL_DATA0, 7         ; the task gate names no TSS
        call GATE_BAD:0
        EXPECT_TAKEN "gate to data"
        EXPECT 10, TSS_SHORT, 7         ; limit 66h < 67h
        jmp TSS_SHORT:0
        EXPECT_TAKEN "short TSS"
        EXPECT 11, TSS_NP, 7
        jmp TSS_NP:0
        EXPECT_TAKEN "TSS not present"
        mov word [TSS_BASE], TSS_A      ; IRET with NT to a TSS that is not busy: #TS(link)
        pushfd
        or dword [esp], 0x4000
        popfd
        EXPECT 10, TSS_A, 1
        iretd
        EXPECT_TAKEN "IRET to non-busy"
        pushfd
        and dword [esp], ~0x4000
        popfd
        CHECK_TYPE SEL_TSS, 0x8B, "main still busy"
        OK "BUSY AND LIMITS"

        ; --- Faults while loading the new task's segments come in the new task (TR = TSS_E).
        mov eax, 10
        mov ebx, ROM_BASE + ts_handler
        mov ecx, SEL_CODE0 | (0x8E << 16)
        call set_gate
        mov word [E_BASE + 0x4C], SEL_DATA0     ; CS is data
        mov ebx, SEL_DATA0
        call run_task_e
        mov word [E_BASE + 0x50], SEL_DATA3     ; SS RPL 3 with CPL 0
        mov ebx, SEL_DATA3 & ~3
        call run_task_e
        mov word [E_BASE + 0x60], SEL_DATA0     ; LDT selector names a data segment
        mov ebx, SEL_DATA0
        call run_task_e
        mov word [E_BASE + 0x54], 0x1230        ; DS beyond the GDT
        mov ebx, 0x1230
        call run_task_e
        mov word [E_BASE + 0x58], SEL_CODE0 + 0x100 ; FS: a zero (not readable) descriptor
        mov ebx, SEL_CODE0 + 0x100
        call run_task_e
        mov eax, 10
        mov ebx, ROM_BASE + guest_stubs + 10 * 10
        mov ecx, SEL_CODE0 | (0x8E << 16)
        call set_gate
        OK "NEW TASK TS"

        ; --- #DF through a task gate: #GP whose gate is not present gives #NP, then #DF(0).
        mov edi, F_BASE
        mov esi, ROM_BASE + task_df
        mov edx, 0x5C000
        call init_tss
        mov eax, 8
        xor ebx, ebx
        mov ecx, TSS_DF | (0x85 << 16)
        call set_gate
        and byte [IDT_BASE + 13 * 8 + 5], 0x7F
        mov ax, 0x1230
.df:    mov ds, ax                      ; 2 bytes; task_df skips it
        CHECK_EQ dword [v_err], 0, "#DF error code"
        CHECK_EQ dword [v_tr], TSS_DF, "#DF task TR"
        CHECK_EQ dword [v_eip], ROM_BASE + .df, "#DF saved EIP"
        mov eax, 8
        mov ebx, ROM_BASE + guest_stubs + 8 * 10
        mov ecx, SEL_CODE0 | (0x8E << 16)
        call set_gate
        OK "DOUBLE FAULT TASK"

        ; --- INT 50h at CPL 3 through a DPL-3 task gate; IRET returns to ring 3.
        mov edi, G_BASE
        mov esi, ROM_BASE + task_g
        mov edx, 0x5B000
        call init_tss
        mov eax, 0x50
        xor ebx, ebx
        mov ecx, TSS_G | (0xE5 << 16)
        call set_gate
        mov eax, 0x41
        mov ebx, ROM_BASE + r3_back
        mov ecx, SEL_CODE0 | (0xEE << 16)
        call set_gate
        mov dword [resume], ROM_BASE + .r3done
        mov [ring0_esp], esp
        push SEL_DATA3
        push STACK3
        push 0x002
        push SEL_CODE3
        push ROM_BASE + user
        iretd
.r3done:
        CHECK_EQ dword [v_tr], TSS_G, "INT task TR"
        CHECK_EQ dword [v_link], SEL_TSS, "INT task link"
        CHECK_EQ dword [v_fs], SEL_CODE3, "saved ring-3 CS"
        CHECK_EQ dword [v_cs3], SEL_CODE3, "back in ring 3"
        OK "INT TASK GATE"

        ; --- CALL to a 16-bit TSS, IRET back.
        mov word [C_BASE + 0x0E], task_c - $$   ; IP
        mov word [C_BASE + 0x10], 0x0002        ; FLAGS
        mov word [C_BASE + 0x12], 0xC0C0        ; AX
        mov word [C_BASE + 0x1A], 0x6000        ; SP
        mov word [C_BASE + 0x22], SEL_DATA0     ; ES
        mov word [C_BASE + 0x24], ROM16         ; CS
        mov word [C_BASE + 0x26], DATA16        ; SS
        mov word [C_BASE + 0x28], SEL_DATA0     ; DS
        mov word [C_BASE + 0x2A], 0             ; LDT
        mov edi, TEST_VARS              ; the 16-bit task stores words: clear the dwords
        xor eax, eax
        mov ecx, 12
        rep stosd
        mov ebx, 0x87654321
        call TSS_C:0
        CHECK_EQ ebx, 0x87654321, "main after 16-bit task"
        CHECK_EQ dword [v_ax16], 0xC0C0, "task C AX"
        CHECK_EQ dword [v_tr], TSS_C, "task C TR"
        CHECK_EQ dword [v_link], SEL_TSS, "task C link"
        test dword [v_flags], 0x4000
        jnz .c_nt
        FAIL "task C NT"
.c_nt:  CHECK_EQ dword [v_eip], 0x6000, "task C SP"
        movzx eax, word [C_BASE + 0x0E]
        CHECK_EQ eax, task_c.after - $$, "task C saved IP"
        CHECK_TYPE TSS_C, 0x81, "task C not busy"
        OK "TSS16"
        ALL_OK

user:   mov ax, SEL_DATA3
        mov ds, ax
        int 0x50
        mov eax, cs
        mov [v_cs3], eax
        int 0x41

r3_back:
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov esp, [ring0_esp]
        jmp [resume]

task_df:
        pop eax
        mov [v_err], eax
        str ax
        movzx eax, ax
        mov [v_tr], eax
        mov eax, [TSS_BASE + 0x20]
        mov [v_eip], eax
        add dword [TSS_BASE + 0x20], 2
        or byte [IDT_BASE + 13 * 8 + 5], 0x80
        iretd
        jmp task_df

task_g: str ax
        movzx eax, ax
        mov [v_tr], eax
        movzx eax, word [G_BASE]
        mov [v_link], eax
        mov eax, [TSS_BASE + 0x4C]      ; CS the interrupted task saved
        mov [v_fs], eax
        iretd
        jmp task_g

; init_tss: EDI = TSS base, ESI = EIP, EDX = ESP: a ring-0 flat task with CR3 = PD1.
init_tss:
        push edi
        push ecx
        push eax
        xor eax, eax
        mov ecx, 26
        rep stosd
        pop eax
        pop ecx
        pop edi
        mov dword [edi + 0x1C], PD1
        mov [edi + 0x20], esi
        mov dword [edi + 0x24], 2
        mov [edi + 0x38], edx
        mov dword [edi + 0x48], SEL_DATA0
        mov dword [edi + 0x4C], SEL_CODE0
        mov dword [edi + 0x50], SEL_DATA0
        mov dword [edi + 0x54], SEL_DATA0
        mov dword [edi + 0x58], SEL_DATA0
        mov dword [edi + 0x5C], SEL_DATA0
        mov word [edi + 0x66], 104
        ret

; run_task_e: JMP to TSS_E (fields patched by the caller on top of a good image); its #TS
; handler returns to the main task; EBX = expected error code. Resets the image after.
run_task_e:
        mov [TEST_VARS + 60], ebx
        mov dword [v_err], -1
        jmp TSS_E:0
        mov ebx, [TEST_VARS + 60]
        CHECK_EQ dword [v_err], ebx, "new task #TS error code"
        CHECK_EQ dword [v_tr], TSS_E, "#TS in the new task"
        CHECK_EQ dword [v_eip], ROM_BASE + ts_handler, "#TS at the new task's EIP"
        CHECK_TYPE TSS_E, 0x89, "task E not busy"
        push edi
        push esi
        push edx
        mov edi, E_BASE
        mov esi, ROM_BASE + ts_handler  ; never runs as the task itself: EIP names the handler
        mov edx, 0x5D000
        call init_tss
        pop edx
        pop esi
        pop edi
        ret

; #TS handler, entered in task E's context.
ts_handler:
        pop eax
        mov [ss:v_err], eax
        mov eax, [esp]
        mov [ss:v_eip], eax
        str ax
        movzx eax, ax
        mov [ss:v_tr], eax
        jmp SEL_TSS:0

task_a: mov [v_eax], eax
        str ax
        movzx eax, ax
        mov [v_tr], eax
        sldt ax
        movzx eax, ax
        mov [v_ldtr], eax
        pushfd
        pop dword [v_flags]
        mov eax, cr0
        mov [v_cr0], eax
        movzx eax, word [A_BASE]
        mov [v_link], eax
        mov ax, 0x0C                    ; LDT entry 1
        mov fs, ax
        mov eax, [fs:marker]
        mov [v_fs], eax
        xor ebx, ebx
        jmp SEL_TSS:0

task_b: str ax
        movzx eax, ax
        mov [v_tr], eax
        movzx eax, word [B_BASE]
        mov [v_link], eax
        mov eax, cr3
        mov [v_cr3], eax
        mov eax, [0x400000 + marker]    ; only PD2 maps 4 MiB
        mov [v_alias], eax
        pushfd
        pop dword [v_flags]
        iretd
.after: jmp task_b

task_d: pop eax                         ; the error code
        mov [v_err], eax
        movzx eax, word [D_BASE]
        mov [v_link], eax
        str ax
        movzx eax, ax
        mov [v_tr], eax
        pushfd
        pop dword [v_flags]
        mov eax, [TSS_BASE + 0x20]
        mov [v_eip], eax
        add dword [TSS_BASE + 0x20], 2  ; resume after the faulting MOV DS
        iretd
        jmp task_d

        bits 16
task_c: mov [v_ax16], ax
        str ax
        mov [v_tr], ax
        mov ax, [C_BASE]
        mov [v_link], ax
        pushf
        pop ax
        mov [v_flags], ax
        mov [v_eip], sp
        iret
.after: jmp task_c
        bits 32

        align 4
descs:  dw 0x67, A_BASE
        db 0, 0x89, 0, 0                ; 30h TSS_A
        dw 0x67, B_BASE
        db 0, 0x89, 0, 0                ; 38h TSS_B
        dw 0, TSS_B
        db 0, 0x85, 0, 0                ; 40h GATE_B
        dw 0x2B, C_BASE
        db 0, 0x81, 0, 0                ; 48h TSS_C (16-bit)
        dw 0x0F, LDT_BASE
        db 0, 0x82, 0, 0                ; 50h LDT
        dw 0x67, D_BASE
        db 0, 0x89, 0, 0                ; 58h TSS_D
        dw 0x67, E_BASE
        db 0, 0x89, 0, 0                ; 60h TSS_E
        dw 0x66, B_BASE
        db 0, 0x89, 0, 0                ; 68h TSS_SHORT
        dw 0x67, B_BASE
        db 0, 0x09, 0, 0                ; 70h TSS_NP
        dw 0xFFFF, 0
        db 0x0F, 0x9B, 0x00, 0          ; 78h ROM16
        dw 0xFFFF, 0
        db 0x00, 0x93, 0x00, 0          ; 80h DATA16
        dw 0, SEL_DATA0
        db 0, 0x85, 0, 0                ; 88h GATE_BAD
        dw 0x67, F_BASE
        db 0, 0x89, 0, 0                ; 90h TSS_DF
        dw 0x67, G_BASE
        db 0, 0x89, 0, 0                ; 98h TSS_G
descs_end:

GUEST_END
