; ghost86 test firmware: echoes COM1 input back in upper case, so that a test can check that
; keys from the host's standard input (-serial stdio) reach the guest.
        bits 16
        section .text start=0
start:  mov dx, 0x3FD                   ; LSR
.wait:  in al, dx
        test al, 1                      ; data ready
        jz .wait
        mov dx, 0x3F8
        in al, dx
        cmp al, 'a'
        jb .send
        cmp al, 'z'
        ja .send
        sub al, 'a' - 'A'
.send:  mov ah, al
        mov dx, 0x3FD
.thre:  in al, dx
        test al, 0x20                   ; transmitter holding register empty
        jz .thre
        mov al, ah
        mov dx, 0x3F8
        out dx, al
        jmp start

        times 0xFFF0 - ($ - $$) db 0xFF
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0xFF
