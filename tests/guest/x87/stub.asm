; Firmware for the x87 guest program: from the reset vector into flat 32-bit protected mode,
; CR0 set up for the FPU (EM clear, MP and NE set), FNINIT, then the C program (fpu_prog.c,
; linked to 0x20000 and embedded below) is copied to RAM and called. Afterwards the machine
; exits through isa-debug-exit (port F4h).

%define ROM_BASE 0xF0000
%define LOAD     0x20000
%define STACK    0x90000

        bits 16
        section .text start=0
start16:
        cli
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
        mov fs, ax
        mov gs, ax
        mov esp, STACK
        cld
        mov esi, ROM_BASE + blob
        mov edi, LOAD
        mov ecx, (blob_end - blob + 3) / 4
        rep movsd
        mov eax, cr0
        and eax, ~4                   ; EM = 0: the FPU executes x87 instructions
        or eax, 0x22                  ; MP, NE: native (#MF) error reporting
        mov cr0, eax
        fninit
        mov eax, LOAD
        call eax                      ; absolute: this code runs at ROM_BASE, not at 0
        xor eax, eax
        out 0xf4, al
.halt:  hlt
        jmp .halt

        align 8
gdt:    dq 0
        dq 0x00CF9B000000FFFF         ; 08h: flat code
        dq 0x00CF93000000FFFF         ; 10h: flat data
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd ROM_BASE + gdt

        align 4
blob:   incbin "x87_prog.bin"
blob_end:

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start16
        times 0x10000 - ($ - $$) db 0xFF
