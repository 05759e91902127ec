; ghost86 test kernel for gdb's reverse-step and reverse-finish: a Multiboot ELF entered in
; 32-bit flat protected mode, assembled with DWARF line information so that gdb steps by
; source line (one instruction a line), and linked at 100000h with only its global symbols
; (ld -x), so that gdb sees two functions: start and add_five. The loop calls add_five three
; times (EBX = 5, 10, 15), then writes 0 to isa-debug-exit (port F4h, exit status 1). Tests take
; addresses from the assembler's listing (offset in .text + 100000h).
        bits 32
        section .text
        global start, add_five

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0
        align 4
        dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)

start:
        mov esp, stack_top
        xor ebx, ebx
        mov ecx, 3
again:
        call add_five
        dec ecx
        jnz again
        mov al, 0
        out 0xf4, al
        cli
        hlt

add_five:
        push ebp
        mov ebp, esp
        add ebx, 2
        add ebx, 3
        pop ebp
        ret

        section .bss
        alignb 16
        resb 4096
stack_top:
