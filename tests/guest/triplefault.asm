; ghost86 system test guest: a triple fault (SDM Vol.3 §6.15, interrupt 8: a fault while
; delivering #DF shuts the processor down) resets the machine, which runs this image again from
; the reset vector. RAM survives the reset, so a marker tells the second run from the first.
; With -no-reboot the run ends instead, with exit status 2.
%include "lib/guest.inc"

%define MARKER 0x9000
%define MAGIC  0x7F1A5EED

test_main:
        cmp dword [MARKER], MAGIC
        je .second
        mov dword [MARKER], MAGIC
        PRINT {"first run", 10}
        lidt [ROM_BASE + empty_idt]     ; every vector is beyond the IDT limit:
        int3                            ; #GP, then #DF, then shutdown
        FAIL "still running after a triple fault"
.second:
        mov dword [MARKER], 0
        PRINT {"second run", 10}
        ALL_OK

empty_idt:
        dw 0
        dd 0
GUEST_END
