; ghost86 system test guest: single-step and the debug registers (SDM Vol.3 chapter 17).
; TF traps after each instruction that starts with TF set (not after the POPF that sets it,
; but after the one that clears it), none after an instruction that raised an exception or
; executed INT n, MOV SS holds the trap back for one instruction; instruction breakpoints are
; faults resumed with RF; data breakpoints are traps after the access, split accesses and
; the processor's own accesses (descriptor accessed bits, exception frames) included, inside
; REP STOS after the iteration that hit; I/O breakpoints with CR4.DE; DR7.GD makes MOV DR fault with DR6.BD; faults push
; RF = 1.
%include "lib/guest.inc"

%define DB_COUNT  TEST_VARS         ; #DB taken
%define LAST_DR6  TEST_VARS + 4     ; DR6 in the last #DB handler
%define INT_FLAGS TEST_VARS + 8     ; EFLAGS inside the INT 43h handler
%define REP_ECX   TEST_VARS + 12    ; ECX in the last #DB handler
%define WATCH     TEST_VARS + 0x40  ; a watched dword
%define TRACE     TEST_VARS + 0x100 ; EIP of each #DB, in order

%define TF 0x100

%macro TF_ON 0
        pushfd
        or dword [esp], TF
        popfd
%endmacro
%macro TF_OFF 0
        pushfd
        and dword [esp], ~TF
        popfd
%endmacro
%macro RESET 0
        mov dword [DB_COUNT], 0
        mov dword [LAST_DR6], 0
%endmacro
; TRACED n, label: the n-th #DB (from 0) came with EIP = label.
%macro TRACED 3
        CHECK_EQ dword [TRACE + %1 * 4], ROM_BASE + %2, %3
%endmacro

test_main:
        mov eax, 1
        mov ebx, ROM_BASE + db_handler
        mov ecx, SEL_CODE0 | (0x8E << 16)
        call set_gate
        mov eax, 0x43
        mov ebx, ROM_BASE + int43
        call set_gate

        ; Single-step: POPF setting TF is not trapped, the instructions after it are, the POPF
        ; clearing TF is too.
        RESET
        TF_ON
        nop
.s1:    nop
.s2:    mov eax, 1
.s3:    pushfd
.s4:    and dword [esp], ~TF
.s5:    popfd
.s6:    nop
        CHECK_EQ dword [DB_COUNT], 6, "step count"
        TRACED 0, .s1, "step 1"
        TRACED 1, .s2, "step 2"
        TRACED 5, .s6, "step 6"
        mov eax, [LAST_DR6]
        and eax, 0xE00F
        CHECK_EQ eax, 0x4000, "DR6.BS"
        OK "single-step"

        ; MOV SS: the trap waits until after the next instruction; INT n: no trap for it, the
        ; handler runs with TF clear, tracing resumes after the IRET; a faulting instruction
        ; reports no trap.
        RESET
        mov ax, ss
        EXPECT 6, -1, 2
        TF_ON
        nop
.m1:    mov ss, ax
        nop
.m2:    int 0x43
        nop
.m3:    ud2
        nop
.m4:    TF_OFF
        TRACED 0, .m1, "before MOV SS"
        TRACED 1, .m2, "after MOV SS + 1"
        TRACED 2, .m3, "after INT n"
        TRACED 3, .m4, "after fault"
        CHECK_EQ dword [DB_COUNT], 7, "shadow count"  ; + the three of TF_OFF
        mov eax, [INT_FLAGS]
        and eax, TF
        CHECK_EQ eax, 0, "TF in INT handler"
        EXPECT_TAKEN "UD while stepping"
        OK "step rules"

        ; Instruction breakpoint (DR0, execute): a fault before the instruction; the handler
        ; sets RF in the frame so it runs once; the next time it faults again.
        RESET
        mov eax, ROM_BASE + bp_target
        mov dr0, eax
        mov eax, 0x00000001             ; L0, R/W0 = 00, LEN0 = 00
        mov dr7, eax
        xor ebx, ebx
        call bp_sub
        call bp_sub
        xor eax, eax
        mov dr7, eax
        call bp_sub                     ; disarmed
        CHECK_EQ dword [DB_COUNT], 2, "bp count"
        CHECK_EQ ebx, 3, "bp instruction ran"
        TRACED 0, bp_target, "bp eip"
        mov eax, [LAST_DR6]
        and eax, 0xE00F
        CHECK_EQ eax, 1, "DR6.B0"
        OK "instruction breakpoint"

        ; Data breakpoints: DR1 writes to WATCH (4 bytes), DR2 reads/writes of one byte at
        ; WATCH + 8, DR3 writes to the dword at 9000h (a page boundary below it).
        RESET
        mov eax, WATCH
        mov dr1, eax
        add eax, 8
        mov dr2, eax
        mov eax, 0x9000
        mov dr3, eax
        ; DR7: L1 L2 L3; R/W1 = 01 LEN1 = 11; R/W2 = 11 LEN2 = 00; R/W3 = 01 LEN3 = 11.
        mov eax, 0x0004 | 0x0010 | 0x0040 | (0xD << 20) | (0x3 << 24) | (0xD << 28)
        mov dr7, eax
        mov eax, [WATCH]                ; a read of a write-only watch: nothing
        mov [WATCH + 4], eax            ; next to it: nothing
        mov [WATCH + 2], al
.d1:    mov dword [WATCH - 2], 0x12345678 ; overlaps the first two bytes
.d2:    mov al, [WATCH + 8]
.d3:    mov byte [WATCH + 9], 0         ; beside the one-byte watch: nothing
        mov dword [0x8FFE], 0xAABBCCDD  ; crosses into the watched page
.d4:    nop
        xor eax, eax
        mov dr7, eax
        CHECK_EQ dword [DB_COUNT], 4, "data count"
        TRACED 0, .d1, "write trap eip"
        TRACED 1, .d2, "split trap eip"
        TRACED 2, .d3, "read trap eip"
        TRACED 3, .d4, "page-crossing trap eip"
        CHECK_EQ dword [WATCH - 2], 0x12345678, "write done"
        CHECK_EQ dword [0x8FFE], 0xAABBCCDD, "crossing write done"
        mov eax, [LAST_DR6]
        and eax, 0xE00F
        CHECK_EQ eax, 8, "DR6.B3"
        OK "data breakpoint"

        ; Data breakpoints on the processor's own accesses: a descriptor's accessed-bit write
        ; traps after the MOV DS; a fault's frame push traps after the delivery, before the
        ; handler's first instruction.
        RESET
        mov dword [GDT_BASE + SEL_FREE], 0x0000FFFF      ; flat data, accessed bit clear
        mov dword [GDT_BASE + SEL_FREE + 4], 0x00CF9200
        mov eax, GDT_BASE + SEL_FREE + 5
        mov dr0, eax
        mov eax, 0x00000001 | (0x1 << 16) ; L0, R/W0 = 01 (writes), LEN0 = 00
        mov dr7, eax
        mov ax, SEL_FREE
        mov ds, ax
.a1:    mov ax, SEL_DATA0
        mov ds, ax
        lea eax, [esp - 4]              ; where the #UD frame's EFLAGS go
        mov dr0, eax
        mov eax, 0x00000001 | (0xD << 16) ; L0, R/W0 = 01, LEN0 = 11
        mov dr7, eax
        EXPECT 6, -1, 2
        ud2
        xor eax, eax
        mov dr7, eax
        CHECK_EQ dword [DB_COUNT], 2, "implicit count"
        TRACED 0, .a1, "accessed-bit trap eip"
        TRACED 1, guest_stubs + 6 * 10, "frame push trap eip"  ; the #UD stub
        EXPECT_TAKEN "UD with watched frame"
        OK "implicit accesses"

        ; REP STOS: the trap follows the iteration that hit, EIP at the REP instruction; the
        ; instruction then resumes and finishes.
        RESET
        mov eax, WATCH + 3
        mov dr0, eax
        mov eax, 0x00000001 | (0x1 << 16) ; L0, R/W0 = 01, LEN0 = 00
        mov dr7, eax
        mov edi, WATCH
        mov ecx, 8
        mov al, 0x5A
        cld
.r1:    rep stosb
        xor eax, eax
        mov dr7, eax
        CHECK_EQ dword [DB_COUNT], 1, "rep count"
        TRACED 0, .r1, "rep trap eip"
        CHECK_EQ dword [REP_ECX], 4, "ECX at the trap"
        CHECK_EQ ecx, 0, "rep finished"
        CHECK_EQ dword [WATCH + 4], 0x5A5A5A5A, "rep stored"
        OK "REP data breakpoint"

        ; I/O breakpoints (CR4.DE, R/W = 10): DR0 = port 80h, two bytes (80h-81h); a trap after
        ; IN/OUT touching them. Without CR4.DE, R/W = 10 arms nothing.
        RESET
        mov eax, 0x80
        mov dr0, eax
        mov eax, 0x00000001 | (0x6 << 16)   ; L0, R/W0 = 10, LEN0 = 01
        mov dr7, eax
        in al, 0x80                     ; CR4.DE clear: nothing
        mov eax, cr4
        or eax, 8
        mov cr4, eax
        in al, 0x80
.i1:    in al, 0x82                     ; beside: nothing
        out 0x81, al
.i2:    mov dx, 0x7F
        in ax, dx                       ; 7Fh-80h overlaps
.i3:    xor eax, eax
        mov dr7, eax
        mov eax, cr4
        and eax, ~8
        mov cr4, eax
        CHECK_EQ dword [DB_COUNT], 3, "io count"
        TRACED 0, .i1, "io trap eip"
        TRACED 1, .i2, "out trap eip"
        TRACED 2, .i3, "overlap trap eip"
        OK "I/O breakpoint"

        ; General detect: MOV DR faults with DR6.BD; GD is clear in the handler, so the MOV
        ; runs when the handler returns.
        RESET
        mov eax, 0x2000
        mov dr7, eax
        mov eax, 0x1234
.gd:    mov dr0, eax
        CHECK_EQ dword [DB_COUNT], 1, "GD count"
        TRACED 0, .gd, "GD eip"
        mov eax, [LAST_DR6]
        and eax, 0x2000
        CHECK_EQ eax, 0x2000, "DR6.BD"
        mov eax, dr0
        CHECK_EQ eax, 0x1234, "MOV DR after GD"
        mov eax, dr7
        and eax, 0x2000
        CHECK_EQ eax, 0, "GD cleared"
        OK "general detect"

        ; RF: a fault pushes RF = 1, a trap pushes the current RF (0).
        EXPECT 6, -1, 2
        ud2
        mov eax, [got_flags]
        and eax, 0x10000
        CHECK_EQ eax, 0x10000, "RF in fault frame"
        EXPECT 3, -1, 0
        int3
        mov eax, [got_flags]
        and eax, 0x10000
        CHECK_EQ eax, 0, "RF in trap frame"
        OK "RF"
        ALL_OK

bp_sub:
bp_target:
        inc ebx
        ret

; INT 43h: records EFLAGS (TF must be clear).
int43:  push eax
        pushfd
        pop eax
        mov [INT_FLAGS], eax
        pop eax
        iretd

; #DB: records the EIP and DR6, clears DR6; after an instruction breakpoint (DR6.B0) sets RF
; in the frame so the instruction runs.
db_handler:
        push eax
        push ebx
        mov eax, [DB_COUNT]
        mov ebx, [esp + 8]
        mov [TRACE + eax * 4], ebx
        inc dword [DB_COUNT]
        mov [REP_ECX], ecx
        mov eax, dr6
        mov [LAST_DR6], eax
        test eax, 1
        jz .out
        or dword [esp + 16], 0x10000
.out:   xor eax, eax
        mov dr6, eax
        pop ebx
        pop eax
        iretd
GUEST_END
