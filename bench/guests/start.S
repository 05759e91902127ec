/* Multiboot v1 entry of the C benchmark kernels: the loader (ghost86 or QEMU -kernel) enters
 * in 32-bit protected mode with EBX pointing at the Multiboot information. */
        .section .multiboot, "a"
        .align 4
        .long 0x1badb002            /* magic */
        .long 0                     /* flags: an ELF image, nothing else asked for */
        .long -0x1badb002           /* checksum */

        .text
        .globl _start
_start:
        cli
        cld
        mov $stack_top, %esp
        push %ebx
        call bench_entry
1:      hlt
        jmp 1b

        .bss
        .align 16
        .skip 65536
stack_top:

        .section .note.GNU-stack, "", @progbits
