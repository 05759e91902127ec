; ghost86 benchmark guest: compute kernels in 32-bit flat protected mode. Boots as firmware
; (-bios), runs KERNEL (selected at assembly time with -DKERNEL=n), prints a checksum on port E9h
; and exits through isa-debug-exit (port F4h) with value 0.
;   1: integer ALU loop (adds, xors, shifts, compare-and-branch)
;   2: memory loop (sum and update of a 64 KiB array, byte and dword accesses)
;   3: calls, returns and stack traffic (recursive Fibonacci)

%ifndef KERNEL
%define KERNEL 1
%endif
%define ROM_BASE 0xF0000

        bits 16
        section .text start=0
start16:
        cli
        cld
        lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:(ROM_BASE + pm_entry)

        bits 32
pm_entry:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x80000
%if KERNEL == 1
        xor eax, eax
        mov ebx, 0x12345678
        mov ecx, 20000000
.loop:  add eax, ebx
        xor ebx, eax
        shl eax, 1
        sub ebx, ecx
        dec ecx
        jnz .loop
        add eax, ebx
%elif KERNEL == 2
        mov edi, 0x100000
        mov ecx, 16384
        xor eax, eax
.fill:  mov [edi + ecx*4 - 4], ecx
        loop .fill
        xor eax, eax
        mov edx, 100
.pass:  mov esi, 0x100000
        mov ecx, 16384
.sum:   add eax, [esi]
        movzx ebx, byte [esi + 1]
        add [esi], ebx
        add esi, 4
        dec ecx
        jnz .sum
        dec edx
        jnz .pass
%else
        mov ecx, 27
        call fib
%endif
        ; print EAX in hex, then exit
        mov ecx, 8
        mov ebx, eax
.hex:   rol ebx, 4
        mov eax, ebx
        and eax, 15
        mov al, [ROM_BASE + hexdigits + eax]
        out 0xE9, al
        loop .hex
        mov al, 10
        out 0xE9, al
        mov al, 0
        out 0xF4, al
.halt:  hlt
        jmp .halt

; fib(ecx) -> eax, naive recursion
fib:    cmp ecx, 2
        jae .rec
        mov eax, ecx
        ret
.rec:   push ecx
        dec ecx
        call fib
        push eax
        dec ecx
        call fib
        pop edx
        add eax, edx
        pop ecx
        ret

hexdigits: db "0123456789abcdef"
        align 8
gdt:    dq 0
        dq 0x00CF9B000000FFFF
        dq 0x00CF93000000FFFF
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd ROM_BASE + gdt

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16                       ; the reset vector runs in real mode
        jmp 0xF000:start16
        times 0x10000 - ($ - $$) db 0xFF
