; ghost86 system test guest: far CALL/JMP through call gates (SDM Vol.3 §5.8.3-5.8.6, Vol.2 CALL,
; JMP and RET): ring 3 -> ring 0 through a 32-bit gate with parameter copy and the TSS stack,
; RET back with the data segment registers nulled, a 16-bit gate, a conforming target, and each
; failing check with its exception and error code.
%include "lib/guest.inc"

%define GATE32     0x30         ; DPL 3 32-bit gate -> 08h:ring0_proc, 2 dwords
%define GATE_R1    0x38         ; DPL 3 32-bit gate -> ring-1 code, no parameters
%define GATE16     0x40         ; DPL 3 16-bit gate -> ROM0:ring0_proc16, 1 word
%define CODE1      0x48         ; ring-1 flat code
%define ROM0       0x50         ; ring-0 code, base F0000h, limit FFFFh
%define ROM3       0x58         ; ring-3 code, base F0000h, limit FFFFh
%define DATA1      0x60         ; ring-1 flat data
%define CONF0      0x68         ; conforming DPL 0 flat code
%define SMALL1     0x70         ; ring-1 data, limit FFFh
%define NP1        0x78         ; ring-1 data, not present
%define SCRATCH    0x80         ; gate rewritten by each check
%define NPCODE     0x88         ; ring-0 code, not present

%define resume     TEST_VARS + 0
%define ring0_esp  TEST_VARS + 4
%define v_cs       TEST_VARS + 8
%define v_ss       TEST_VARS + 12
%define v_esp      TEST_VARS + 16
%define v_esp3     TEST_VARS + 20
%define v_ds3      TEST_VARS + 24
%define v_es3      TEST_VARS + 28
%define v_fs3      TEST_VARS + 32
%define v_gs3      TEST_VARS + 36
%define v_frame    TEST_VARS + 64   ; 8 dwords

; GATE sel, code selector, linear offset, parameter count, type/attribute byte
%macro GATE 5
        mov eax, %3
        mov [GDT_BASE + %1], ax
        shr eax, 16
        mov [GDT_BASE + %1 + 6], ax
        mov word [GDT_BASE + %1 + 2], %2
        mov byte [GDT_BASE + %1 + 4], %4
        mov byte [GDT_BASE + %1 + 5], %5
%endmacro

; FAR_FAULT insn, vector, error, name: a 7-byte far CALL/JMP to SCRATCH|3 that must fault.
%macro FAR_FAULT 4
        EXPECT %2, %3, 7
        %1 (SCRATCH | 3):0
        EXPECT_TAKEN %4
%endmacro

; TSS_SS1 ss, esp: the ring-1 stack the TSS names.
%macro TSS_SS1 2
        mov dword [TSS_BASE + 16], %1
        mov dword [TSS_BASE + 12], %2
%endmacro

test_main:
        mov esi, ROM_BASE + descs
        mov edi, GDT_BASE + GATE32
        mov ecx, (descs_end - descs) / 4
        rep movsd
        GATE GATE32, SEL_CODE0, ROM_BASE + ring0_proc, 2, 0xEC
        GATE GATE_R1, CODE1 | 1, ROM_BASE + ring1_proc, 0, 0xEC
        GATE GATE16, ROM0, ring0_proc16 - $$, 1, 0xE4
        mov eax, 0x41                   ; INT 41h: back to ring 0 (back0)
        mov ebx, ROM_BASE + back0
        mov ecx, SEL_CODE0 | (0xEE << 16)
        call set_gate

        ; --- 32-bit gate, ring 3 -> ring 0, two parameters, RET 8 back.
        mov ebx, ROM_BASE + user_a
        call enter_ring3
        CHECK_EQ dword [v_cs], SEL_CODE0, "gate CS"
        CHECK_EQ dword [v_ss], SEL_DATA0, "gate SS from TSS"
        CHECK_EQ dword [v_esp], STACK0 - 24, "gate ESP"
        CHECK_EQ dword [v_frame], ROM_BASE + user_a.ret, "frame EIP"
        CHECK_EQ dword [v_frame + 4], SEL_CODE3, "frame CS"
        CHECK_EQ dword [v_frame + 8], 0x1111, "frame param 0"
        CHECK_EQ dword [v_frame + 12], 0x2222, "frame param 1"
        CHECK_EQ dword [v_frame + 16], STACK3 - 8, "frame ESP"
        CHECK_EQ dword [v_frame + 20], SEL_DATA3, "frame SS"
        OK "CALL GATE"
        CHECK_EQ dword [v_esp3], STACK3, "RET 8 ESP"
        CHECK_EQ dword [v_ds3], 0, "DS nulled"
        CHECK_EQ dword [v_gs3], 0, "GS nulled"
        CHECK_EQ dword [v_es3], CONF0, "conforming ES kept"
        CHECK_EQ dword [v_fs3], SEL_DATA3, "DPL 3 FS kept"
        OK "RET OUTER"

        ; --- 16-bit gate: word frame, 16-bit RET 2.
        mov ebx, ROM_BASE + user_b
        call enter_ring3
        CHECK_EQ dword [v_cs], ROM0, "gate16 CS"
        CHECK_EQ dword [v_esp], STACK0 - 10, "gate16 ESP"
        CHECK_EQ dword [v_frame], user_b.ret - $$, "gate16 IP"
        CHECK_EQ dword [v_frame + 4], ROM3 | 3, "gate16 CS slot"
        CHECK_EQ dword [v_frame + 8], 0x3333, "gate16 param"
        CHECK_EQ dword [v_frame + 12], 0xF000 - 2, "gate16 SP"
        CHECK_EQ dword [v_frame + 16], SEL_DATA3, "gate16 SS"
        CHECK_EQ dword [v_esp3], 0xF000, "gate16 RET 2"
        OK "GATE16"

        ; --- Conforming target: no privilege change, CS takes RPL 3.
        GATE SCRATCH, CONF0, ROM_BASE + conf_proc, 0, 0xEC
        mov ebx, ROM_BASE + user_c
        call enter_ring3
        CHECK_EQ dword [v_cs], CONF0 | 3, "conforming CS"
        CHECK_EQ dword [v_esp], STACK3 - 8, "conforming ESP"
        OK "CONFORMING"

        ; --- JMP through a gate at the same level.
        GATE SCRATCH, SEL_CODE0, ROM_BASE + .jmp_target, 0, 0x8C
        jmp SCRATCH:0
        FAIL "JMP gate"
.jmp_target:
        mov eax, cs
        CHECK_EQ eax, SEL_CODE0, "JMP gate CS"
        ; Failing checks at CPL 0: gate DPL < RPL, target DPL > CPL, offset beyond the limit.
        FAR_FAULT call, 13, SCRATCH, "gate DPL < RPL"
        GATE SCRATCH, SEL_CODE3, ROM_BASE + .jmp_target, 0, 0x8C
        EXPECT 13, SEL_CODE3 & ~3, 7
        call SCRATCH:0
        EXPECT_TAKEN "target DPL > CPL"
        GATE SCRATCH, ROM0, 0x12345, 0, 0x8C
        EXPECT 13, 0, 7
        call SCRATCH:0
        EXPECT_TAKEN "offset beyond limit"
        OK "RING0 CHECKS"

        ; --- Failing checks from ring 3.
        mov ebx, ROM_BASE + user_d
        call enter_ring3
        OK "RING3 CHECKS"

        ; --- The ring-1 stack from the TSS: each bad SS1, then a TSS too short for it.
        mov ebx, ROM_BASE + user_e
        call enter_ring3
        CHECK_EQ dword [v_cs], CODE1 | 1, "ring 1 CS"
        CHECK_EQ dword [v_ss], DATA1 | 1, "ring 1 SS"
        CHECK_EQ dword [v_esp], 0x60000 - 16, "ring 1 ESP"
        OK "TSS STACK"
        and byte [GDT_BASE + SEL_TSS + 5], ~2   ; not busy, limit 11: SS0 fits, SS1 does not
        mov word [GDT_BASE + SEL_TSS], 11
        mov ax, SEL_TSS
        ltr ax
        mov ebx, ROM_BASE + user_f
        call enter_ring3
        OK "TSS LIMIT"
        ALL_OK

; enter_ring3: EBX = ring-3 EIP (flat CS 1Bh, SS 23h, ESP STACK3). The ring-3 code ends with
; INT 41h, and enter_ring3 returns.
enter_ring3:
        pop dword [resume]
        mov [ring0_esp], esp
        push SEL_DATA3
        push STACK3
        push 0x002
        push SEL_CODE3
        push ebx
        iretd
back0:  mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov esp, [ring0_esp]
        jmp [resume]

user_a: mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        push 0x2222
        push 0x1111
        call (GATE32 | 3):0
.ret:   mov [ss:v_esp3], esp
        mov eax, ds
        mov [ss:v_ds3], eax
        mov eax, es
        mov [ss:v_es3], eax
        mov eax, fs
        mov [ss:v_fs3], eax
        mov eax, gs
        mov [ss:v_gs3], eax
        int 0x41

; Called through GATE32 from ring 3: records the frame, loads segment registers the return
; must null (DPL 0 data) or keep (conforming code), returns releasing the two parameters.
ring0_proc:
        mov eax, cs
        mov [ss:v_cs], eax
        mov eax, ss
        mov [ss:v_ss], eax
        mov [ss:v_esp], esp
        mov esi, esp
        mov edi, v_frame
        mov ecx, 6
.copy:  mov eax, [ss:esi]
        mov [ss:edi], eax
        add esi, 4
        add edi, 4
        loop .copy
        mov ax, SEL_DATA0
        mov ds, ax
        mov gs, ax
        mov ax, CONF0
        mov es, ax
        retf 8

user_b: mov ax, SEL_DATA3
        mov ds, ax
        mov esp, 0xF000
        jmp (ROM3 | 3):(.rom3 - $$)
.rom3:  push word 0x3333
        call (GATE16 | 3):0
.ret:   mov [v_esp3], esp
        int 0x41

; Called through the 16-bit GATE16 (CS base F0000h): records the word frame, RET 2.
ring0_proc16:
        mov eax, cs
        mov [ss:v_cs], eax
        mov [ss:v_esp], esp
        xor ecx, ecx
.copy:  movzx eax, word [ss:esp + ecx * 2]
        mov [ss:v_frame + ecx * 4], eax
        inc ecx
        cmp ecx, 5
        jb .copy
        o16 retf 2

user_c: mov ax, SEL_DATA3
        mov ds, ax
        call (SCRATCH | 3):0
        int 0x41

conf_proc:
        mov eax, cs
        mov [v_cs], eax
        mov [v_esp], esp
        retf

user_d: mov ax, SEL_DATA3
        mov ds, ax
        GATE SCRATCH, SEL_CODE0, ROM_BASE + ring0_proc, 0, 0x8C
        FAR_FAULT call, 13, SCRATCH, "gate DPL < CPL"
        GATE SCRATCH, SEL_CODE0, ROM_BASE + ring0_proc, 0, 0x6C
        FAR_FAULT call, 11, SCRATCH, "gate not present"
        GATE SCRATCH, 0, ROM_BASE + ring0_proc, 0, 0xEC
        FAR_FAULT call, 13, 0, "null code selector"
        GATE SCRATCH, 0x1230, ROM_BASE + ring0_proc, 0, 0xEC
        FAR_FAULT call, 13, 0x1230, "code selector beyond GDT"
        GATE SCRATCH, SEL_DATA0, ROM_BASE + ring0_proc, 0, 0xEC
        FAR_FAULT call, 13, SEL_DATA0, "gate to data"
        GATE SCRATCH, NPCODE, ROM_BASE + ring0_proc, 0, 0xEC
        FAR_FAULT call, 11, NPCODE, "code not present"
        GATE SCRATCH, SEL_CODE0, ROM_BASE + ring0_proc, 0, 0xEC
        FAR_FAULT jmp, 13, SEL_CODE0, "JMP to inner level"
        mov byte [GDT_BASE + SCRATCH + 5], 0xE2     ; an LDT descriptor is no far target
        FAR_FAULT call, 13, SCRATCH, "LDT descriptor"
        int 0x41

; The ring-1 stack: SS1 must be a present, writable DPL 1 segment with RPL 1 inside the GDT.
%macro R1_FAULT 5
        TSS_SS1 %1, %2
        EXPECT %3, %4, 7
        call (GATE_R1 | 3):0
        EXPECT_TAKEN %5
%endmacro
user_e: mov ax, SEL_DATA3
        mov ds, ax
        R1_FAULT 0, 0x60000, 10, 0, "SS1 null"
        R1_FAULT DATA1, 0x60000, 10, DATA1, "SS1 RPL"
        R1_FAULT (SEL_DATA3 & ~3) | 1, 0x60000, 10, SEL_DATA3 & ~3, "SS1 DPL"
        R1_FAULT CODE1 | 1, 0x60000, 10, CODE1, "SS1 code"
        R1_FAULT 0x1231, 0x60000, 10, 0x1230, "SS1 beyond GDT"
        R1_FAULT NP1 | 1, 0x60000, 12, NP1, "SS1 not present"
        R1_FAULT SMALL1 | 1, 8, 12, SMALL1, "no room on the ring-1 stack"
        TSS_SS1 DATA1 | 1, 0x60000
        call (GATE_R1 | 3):0
        int 0x41

; Reached through GATE_R1 at CPL 1.
ring1_proc:
        mov eax, cs
        mov [ss:v_cs], eax
        mov eax, ss
        mov [ss:v_ss], eax
        mov [ss:v_esp], esp
        retf

user_f: mov ax, SEL_DATA3
        mov ds, ax
        EXPECT 10, SEL_TSS, 7
        call (GATE_R1 | 3):0
        EXPECT_TAKEN "TSS limit"
        int 0x41

        align 4
descs:  dq 0, 0, 0                      ; 30h, 38h, 40h: gates, filled in
        dq 0x00CFBB000000FFFF           ; 48h CODE1
        dw 0xFFFF, 0x0000
        db 0x0F, 0x9B, 0x40, 0x00       ; 50h ROM0
        dw 0xFFFF, 0x0000
        db 0x0F, 0xFB, 0x40, 0x00       ; 58h ROM3
        dq 0x00CFB3000000FFFF           ; 60h DATA1
        dq 0x00CF9F000000FFFF           ; 68h CONF0
        dq 0x0040B30000000FFF           ; 70h SMALL1
        dq 0x00CF33000000FFFF           ; 78h NP1
        dq 0                            ; 80h SCRATCH
        dq 0x00CF1B000000FFFF           ; 88h NPCODE
descs_end:

GUEST_END
