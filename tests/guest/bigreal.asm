; ghost86 system test guest: "big real mode" (SDM Vol.3 §9.9.2 and §20.1.1). Segment limits
; loaded in protected mode stay in the descriptor caches after the return to real mode, so a
; 32-bit offset reaches above 1 MB; a real-mode segment load changes only selector and base.
; A segment with a 64 KB limit still faults (#GP through the IVT) beyond it.
%include "lib/guest.inc"

%define SEL_CODE16 SEL_FREE         ; 16-bit code, base F0000h
%define SEL_DATA16 SEL_FREE + 8     ; 16-bit data, base 0, limit FFFFh
%define RES        TEST_VARS
%define GP_COUNT   RES + 12

test_main:
        mov eax, SEL_CODE16
        mov ebx, ROM_BASE
        mov ecx, 0xFFFF
        mov edx, 0x009B
        call set_desc
        mov eax, SEL_DATA16
        xor ebx, ebx
        mov edx, 0x0093
        call set_desc
        mov dword [RES], 0
        mov dword [RES + 4], 0
        mov dword [RES + 8], 0
        mov dword [GP_COUNT], 0
        mov dword [0x200000], 0         ; written in real mode below
        mov ax, SEL_DATA16
        mov es, ax
        mov ss, ax
        mov esp, 0x7000                 ; DS, FS, GS keep the 4 GB flat segment
        jmp SEL_CODE16:pm16

        bits 16
pm16:   mov eax, cr0
        and al, 0xFE
        mov cr0, eax
        jmp 0xF000:real

real:   xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        lidt [cs:ivt_desc]
        mov word [13 * 4], rm_gp        ; IVT: #GP handler at F000:rm_gp
        mov word [13 * 4 + 2], 0xF000
        mov dword [dword 0x200000], 0x12345678
        mov eax, [dword 0x200000]
        mov [RES], eax
        mov ax, 0x1000                  ; base 10000h, the 4 GB limit stays
        mov ds, ax
        mov eax, [dword 0x1F0000]       ; linear 200000h
        mov [fs:RES + 4], eax
        xor ax, ax
        mov ds, ax
        mov eax, [es:0xFFFC]            ; inside the 64 KB limit
.gp:    mov eax, [es:dword 0x10000]     ; beyond it: #GP
.gpe:   mov ax, 0x2000                  ; the limit stays 64 KB after a reload
        mov es, ax
        mov eax, [es:dword 0x10000]
        mov [RES + 8], eax
        lidt [cs:guest_idt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword SEL_CODE0:(ROM_BASE + back)

; Real-mode #GP: count it and resume after the faulting instruction.
rm_gp:  push bp
        mov bp, sp
        add word [bp + 2], real.gpe - real.gp
        inc dword [GP_COUNT]
        pop bp
        iret
ivt_desc:
        dw 0x3FF
        dd 0

        bits 32
back:   mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, STACK0
        CHECK_EQ dword [RES], 0x12345678, "flat 32-bit offset"
        CHECK_EQ dword [RES + 4], 0x12345678, "reloaded base keeps limit"
        CHECK_EQ dword [0x200000], 0x12345678, "written above 1 MB"
        CHECK_EQ dword [GP_COUNT], 2, "64 KB limit faults"
        OK "big real"
        ALL_OK
GUEST_END
