; ghost86 system test guest: the shared skeleton itself (lib/guest.inc). Checks that announced
; exceptions are accepted with the right vector, error code and resume point, from ring 0 and
; from ring 3, so that the other guest tests can rely on EXPECT.
%include "lib/guest.inc"

test_main:
        EXPECT 0, -1, 2                 ; #DE: a fault, EIP of the DIV
        xor edx, edx
        xor ecx, ecx
        mov eax, 1
.de:    div ecx                         ; 2 bytes
        EXPECT_TAKEN "DE"
        CHECK_EQ dword [got_eip], ROM_BASE + .de, "DE eip"
        OK "DE"

        EXPECT 6, -1, 2                 ; #UD: UD2 is 2 bytes
.ud:    ud2
        EXPECT_TAKEN "UD"
        CHECK_EQ dword [got_eip], ROM_BASE + .ud, "UD eip"
        OK "UD"

        EXPECT 3, -1, 0                 ; #BP: a trap, EIP after INT3
        int3
.bp:    EXPECT_TAKEN "BP"
        CHECK_EQ dword [got_eip], ROM_BASE + .bp, "BP eip"
        OK "BP"

        EXPECT 13, 0x1230, 2            ; #GP(selector): beyond the GDT limit
        mov ax, 0x1230
        mov ds, ax                      ; 2 bytes
        EXPECT_TAKEN "GP"
        CHECK_EQ dword [got_err], 0x1230, "GP error code"
        OK "GP"

        ; Ring 3 (IOPL 0). INT 41h is a DPL-3 gate back to ring 0 to finish; a DPL-0 gate used
        ; by INT n from ring 3 gives #GP(vector * 8 + 2) on the TSS stack, resumed after the INT.
        mov eax, 0x41
        mov ebx, ROM_BASE + ring0_finish
        mov ecx, SEL_CODE0 | (0xEE << 16)
        call set_gate
        push SEL_DATA3
        push STACK3
        push 0x002
        push SEL_CODE3
        push ROM_BASE + .user
        iretd
.user:  mov ax, SEL_DATA3               ; IRET to ring 3 nulled DS (DPL 0)
        mov ds, ax
        EXPECT 13, 0x40 * 8 + 2, 2
        int 0x40
        EXPECT_TAKEN "ring 3 gate"
        CHECK_EQ dword [got_cs], SEL_CODE3, "ring 3 cs"
        EXPECT 13, 0, 1                 ; CLI at CPL 3 with IOPL 0: #GP(0)
        cli
        EXPECT_TAKEN "ring 3 cli"
        mov eax, cs
        cmp eax, SEL_CODE3
        jne .bad
        int 0x41                        ; to ring 0: ring0_finish
.bad:   ud2                             ; an unexpected #UD reports the failure

ring0_finish:
        mov ax, SEL_DATA0
        mov ds, ax
        cmp dword [esp + 4], SEL_CODE3  ; the frame holds the ring-3 CS
        jne .bad
        OK "ring 3"
        ALL_OK
.bad:   FAIL "ring 3 frame"

GUEST_END
