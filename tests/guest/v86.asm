; ghost86 system test guest: virtual-8086 mode without VME (SDM Vol.3 chapter 20). Entry by
; IRET with VM set, INT n faulting to the ring-0 monitor when IOPL < 3 and going through the IDT
; with the V86 frame when IOPL = 3, IN/OUT checked against the TSS I/O bitmap whatever IOPL,
; IOPL-sensitive CLI/STI/PUSHF/POPF, and the return to V86 mode by IRET.
%include "lib/guest.inc"

%define V86_SP    0x7000
%define RES       TEST_VARS         ; results the V86 code leaves for ring 0
%define FAULTS    RES + 0           ; dword: announced faults taken in V86 mode
%define FLAGS1    RES + 4           ; word: FLAGS after CLI at IOPL 3
%define FLAGS2    RES + 8           ; word: FLAGS after POPF of an image with IOPL 0
%define FRAME     RES + 0x20        ; the V86 frame seen by v86_back: EIP CS EFLAGS ESP SS ES DS FS GS
%define HSEGS     RES + 0x50        ; DS ES FS GS inside v86_back

%define VM_IOPL0  0x20002
%define VM_IOPL3  0x23002

test_main:
        ; I/O bitmap for ports 0..3FFh (all denied but 80h), then the all-ones byte.
        mov edi, TSS_BASE + 104
        mov ecx, 129
        mov al, 0xFF
        rep stosb
        and byte [TSS_BASE + 104 + 0x80 / 8], ~1
        mov eax, 104 + 128
        call tss_set_limit
        ; INT3 (not IOPL-sensitive) and INT 42h leave V86 mode through v86_back.
        mov eax, 3
        mov ebx, ROM_BASE + v86_back
        mov ecx, SEL_CODE0 | (0xEE << 16)
        call set_gate
        mov eax, 0x42
        call set_gate

        ; INT n with IOPL 0: #GP(0) to the monitor, which resumes V86 mode by IRET.
        EXPECT 13, 0, 2
        mov eax, v_int
        mov ebx, VM_IOPL0
        call to_v86
        EXPECT_TAKEN "INT n IOPL 0"
        CHECK_EQ dword [got_eip], v_int, "GP eip"
        CHECK_EQ dword [got_cs], 0xF000, "GP cs"
        CHECK_EQ dword [FRAME], v_int.end + 1, "resumed eip"  ; after the INT3
        CHECK_EQ dword [FRAME + 20], 0x1111, "ES kept"
        OK "INT IOPL 0"

        ; INT n with IOPL 3: through the IDT to ring 0 with the whole V86 frame; the data
        ; segment registers are null in the handler.
        mov eax, v_int
        mov ebx, VM_IOPL3
        call to_v86
        CHECK_EQ dword [FRAME], v_int + 2, "frame eip"
        CHECK_EQ dword [FRAME + 4], 0xF000, "frame cs"
        mov eax, [FRAME + 8]
        and eax, 0x23000
        CHECK_EQ eax, 0x23000, "frame eflags"
        CHECK_EQ dword [FRAME + 12], V86_SP, "frame esp"
        CHECK_EQ dword [FRAME + 16], 0, "frame ss"
        CHECK_EQ dword [FRAME + 20], 0x1111, "frame es"
        CHECK_EQ dword [FRAME + 24], 0, "frame ds"
        CHECK_EQ dword [FRAME + 28], 0x2222, "frame fs"
        CHECK_EQ dword [FRAME + 32], 0x3333, "frame gs"
        CHECK_EQ dword [HSEGS], 0, "handler ds"
        CHECK_EQ dword [HSEGS + 4], 0, "handler es"
        CHECK_EQ dword [HSEGS + 8], 0, "handler fs"
        CHECK_EQ dword [HSEGS + 12], 0, "handler gs"
        OK "INT IOPL 3"

        ; IN/OUT: the bitmap decides at IOPL 0 and at IOPL 3 alike.
        mov dword [FAULTS], 0
        mov eax, v_io
        mov ebx, VM_IOPL0
        call to_v86
        CHECK_EQ dword [FAULTS], 3, "IO IOPL 0 faults"
        mov dword [FAULTS], 0
        mov eax, v_io
        mov ebx, VM_IOPL3
        call to_v86
        CHECK_EQ dword [FAULTS], 3, "IO IOPL 3 faults"
        OK "IO bitmap"

        ; CLI, STI, PUSHF, POPF fault with IOPL < 3 ...
        mov dword [FAULTS], 0
        mov eax, v_flags0
        mov ebx, VM_IOPL0
        call to_v86
        CHECK_EQ dword [FAULTS], 4, "IOPL 0 flag faults"
        ; ... and work with IOPL 3, where POPF cannot change IOPL.
        mov eax, v_flags3
        mov ebx, VM_IOPL3 | 0x200
        call to_v86
        movzx eax, word [FLAGS1]
        and eax, 0x3200
        CHECK_EQ eax, 0x3000, "CLI at IOPL 3"
        movzx eax, word [FLAGS2]
        and eax, 0x3200
        CHECK_EQ eax, 0x3000, "POPF keeps IOPL"
        OK "IOPL sensitive"
        ALL_OK

; to_v86: EAX = IP (CS = F000h), EBX = EFLAGS; ES/FS/GS = 1111h/2222h/3333h, DS = SS = 0,
; SP = V86_SP. Returns when the V86 code reaches INT3 (or INT 42h with IOPL 3).
to_v86:
        mov [BACK0_ESP], esp
        mov [TSS_BASE + 4], esp
        push dword 0x3333
        push dword 0x2222
        push dword 0
        push dword 0x1111
        push dword 0
        push dword V86_SP
        push ebx
        push dword 0xF000
        push eax
        iretd

; Ring-0 handler of INT3 / INT 42h from V86 mode: records the frame and its own data segments.
v86_back:
        mov [ss:HSEGS], ds
        mov [ss:HSEGS + 4], es
        mov [ss:HSEGS + 8], fs
        mov [ss:HSEGS + 12], gs
        mov ax, SEL_DATA0
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov esi, esp
        mov edi, FRAME
        mov ecx, 9
        rep movsd
        mov esp, [BACK0_ESP]
        mov dword [TSS_BASE + 4], STACK0
        ret

; Virtual-8086 code (CS = F000h, DS = 0 so the skeleton variables are addressable).
        bits 16
v_int:  int 0x42
.end:   int3

; Each announced fault adds to FAULTS.
%macro V86_FAULT 0
        mov eax, [got_count]
        add [FAULTS], eax
%endmacro

v_io:   in al, 0x80                     ; allowed
        out 0x80, al
        EXPECT 13, 0, 2
        in al, 0x81
        V86_FAULT
        EXPECT 13, 0, 2
        out 0x81, al
        V86_FAULT
        EXPECT 13, 0, 2
        in ax, 0x80                     ; 80h allowed, 81h not
        V86_FAULT
        int3

v_flags0:
        EXPECT 13, 0, 1
        cli
        V86_FAULT
        EXPECT 13, 0, 1
        sti
        V86_FAULT
        EXPECT 13, 0, 1
        pushf
        V86_FAULT
        EXPECT 13, 0, 1
        popf
        V86_FAULT
        int3

v_flags3:
        cli
        pushf
        pop ax
        mov [FLAGS1], ax
        push word 0x0002                ; IOPL 0 in the image
        popf
        pushf
        pop ax
        mov [FLAGS2], ax
        int3
        bits 32
GUEST_END
