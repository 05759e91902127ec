; ghost86 test firmware for the gdb stub (-bios, 64 KiB at F0000h). A few real-mode
; instructions with known results, then 32-bit flat protected mode and a loop a debugger can
; predict: ECX counts 1..200000, each pass stores ECX at 1000h and adds 3 to the dword at 1004h.
; Then, unless the dword at 1008h is non-zero (a debugger sets it), it writes 0 to
; isa-debug-exit (port F4h, exit status 1); otherwise it spins in a second loop.
; Addresses the tests use (linear): F0007h add ax, bx; F0200h the loop; F0201h the store.
        bits 16
        section .text start=0
rm_start:                               ; F000:0000
        cli                             ; F0000
        mov ax, 0x1234                  ; F0001
        mov bx, 0x5678                  ; F0004
        add ax, bx                      ; F0007: AX = 68ACh
        xor cx, cx                      ; F0009
        mov ds, cx
        o32 lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:(0xF0000 + pm_start)

        times 0x100 - ($ - $$) db 0xF4
        bits 32
pm_start:                               ; F0100
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x9000
        xor ecx, ecx
        mov dword [0x1000], 0
        mov dword [0x1004], 0
        jmp pm_loop

        times 0x200 - ($ - $$) db 0xF4
pm_loop:                                ; F0200
        inc ecx                         ; F0200
        mov [0x1000], ecx               ; F0201
        add dword [0x1004], 3           ; F0207
        cmp ecx, 200000                 ; F020E
        jne pm_loop                     ; F0214
        cmp dword [0x1008], 0           ; F0216
        jne spin
        mov al, 0
        out 0xF4, al
        cli
        hlt
spin:   inc edx
        jmp spin

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 08h: flat 32-bit code
        dq 0x00CF92000000FFFF           ; 10h: flat data
gdt_desc:
        dw gdt_desc - gdt - 1
        dd 0xF0000 + gdt

        times 0xFFF0 - ($ - $$) db 0xF4
        bits 16
        jmp 0xF000:rm_start
        times 0x10000 - ($ - $$) db 0xF4
