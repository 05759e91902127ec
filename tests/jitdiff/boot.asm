; -bios image of a generated differential-test guest: the shared skeleton (tests/guest/lib) reaches
; 32-bit protected mode, then the program (assembled separately for 100000h, BODY names the file)
; is copied to RAM, where it may rewrite its own code, and entered.
; nasm -f bin -I tests/guest/ -DBODY='"body.bin"' -o guest.bin tests/jitdiff/boot.asm
%include "lib/guest.inc"

test_main:
        mov esi, ROM_BASE + body
        mov edi, 0x100000
        mov ecx, (body_end - body + 3) / 4
        rep movsd
        jmp SEL_CODE0:0x100000
body:   incbin BODY
body_end:
        GUEST_END
