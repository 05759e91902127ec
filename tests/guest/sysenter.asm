; ghost86 system test guest: RDMSR/WRMSR of every implemented MSR with their reset values and
; #GP(0) cases (SDM Vol.2 RDMSR/WRMSR, Vol.3 §11.11-11.12, Vol.4 ch.2), the TSC MSR moving RDTSC,
; and a SYSENTER/SYSEXIT round trip between ring 3 and ring 0 (SDM Vol.2 SYSENTER/SYSEXIT).
%include "lib/guest.inc"

; RDMSR_EQ msr, edx, eax, name: FAIL unless MSR msr reads edx:eax.
%macro RDMSR_EQ 4
        mov ecx, %1
        rdmsr
        CHECK_EQ edx, %2, %4
        CHECK_EQ eax, %3, %4
%endmacro

; WRMSR_RD msr, edx, eax, name: writes the MSR and reads the value back.
%macro WRMSR_RD 4
        mov ecx, %1
        mov edx, %2
        mov eax, %3
        wrmsr
        RDMSR_EQ %1, %2, %3, %4
%endmacro

; WRMSR_GP msr, edx, eax, name: the write must raise #GP(0).
%macro WRMSR_GP 4
        mov ecx, %1
        mov edx, %2
        mov eax, %3
        EXPECT 13, 0, 2
        wrmsr
        EXPECT_TAKEN %4
%endmacro

%define SYSENTER_CS  0x174
%define SYSENTER_ESP 0x175
%define SYSENTER_EIP 0x176
%define ring3_esp    TEST_VARS + 0

test_main:
        ; CPUID.1:EDX reports MSR (5), APIC (9), SEP (11), MTRR (12) and PAT (16).
        mov eax, 1
        cpuid
        mov eax, edx
        and eax, (1 << 5) | (1 << 9) | (1 << 11) | (1 << 12) | (1 << 16)
        CHECK_EQ eax, (1 << 5) | (1 << 9) | (1 << 11) | (1 << 12) | (1 << 16), "cpuid bits"
        OK "CPUID"

        ; Reset values.
        RDMSR_EQ 0x277, 0x00070406, 0x00070406, "PAT reset"
        RDMSR_EQ 0x1B, 0, 0xFEE00900, "APIC base reset"
        RDMSR_EQ 0xFE, 0, 0x508, "MTRRcap"
        RDMSR_EQ 0x2FF, 0, 0, "MTRRdefType reset"
        RDMSR_EQ 0x17, 0, 0, "PLATFORM_ID"
        RDMSR_EQ SYSENTER_CS, 0, 0, "SYSENTER_CS reset"
        OK "RESET"

        ; Stored values.
        WRMSR_RD SYSENTER_CS, 0, 0x0008, "SYSENTER_CS"
        WRMSR_RD SYSENTER_ESP, 0, STACK0 - 0x100, "SYSENTER_ESP"
        WRMSR_RD SYSENTER_EIP, 0, ROM_BASE + ring0_entry, "SYSENTER_EIP"
        WRMSR_RD 0x277, 0x00070106, 0x00050407, "PAT"
        WRMSR_RD 0x2FF, 0, 0xC06, "MTRRdefType"
        WRMSR_RD 0x200, 0x0, 0x00000006, "PHYSBASE0"
        WRMSR_RD 0x201, 0xF, 0xF8000800, "PHYSMASK0"
        WRMSR_RD 0x20F, 0xF, 0xFFF00800, "PHYSMASK7"
        WRMSR_RD 0x250, 0x06060606, 0x06060606, "FIX64K"
        WRMSR_RD 0x259, 0x00000000, 0x01010101, "FIX16K_A0000"
        WRMSR_RD 0x26F, 0x05050505, 0x05050505, "FIX4K_F8000"
        WRMSR_RD 0x1B, 0, 0xFEE00800, "APIC base"
        WRMSR_RD 0x8B, 0, 0, "BIOS_SIGN_ID"
        mov ecx, 0x1A0                  ; MISC_ENABLE: fast strings can be cleared
        rdmsr
        and eax, ~1
        wrmsr
        rdmsr
        test eax, 1
        jz .misc
        FAIL "MISC_ENABLE"
.misc:  OK "STORE"

        ; Reserved bits, invalid memory types, read-only and unknown MSRs: #GP(0).
        WRMSR_GP 0x277, 0, 0x00070402, "PAT type 2"
        WRMSR_GP 0x2FF, 0, 0x1006, "MTRRdefType reserved"
        WRMSR_GP 0x200, 0x10, 0x6, "PHYSBASE above 36 bits"
        WRMSR_GP 0x201, 0, 0x400, "PHYSMASK reserved"
        WRMSR_GP 0x258, 0, 0x03, "FIX16K type 3"
        WRMSR_GP 0x1B, 0, 0xFEE00001, "APIC base reserved"
        WRMSR_GP 0xFE, 0, 0x508, "MTRRcap read-only"
        WRMSR_GP 0xC0000080, 0, 0, "EFER absent"
        mov ecx, 0x11                   ; no such MSR
        EXPECT 13, 0, 2
        rdmsr
        EXPECT_TAKEN "RDMSR unknown"
        RDMSR_EQ 0x277, 0x00070106, 0x00050407, "PAT kept"
        OK "RESERVED"

        ; Writing the TSC sets what RDTSC counts from.
        mov ecx, 0x10
        mov edx, 0x12345678
        xor eax, eax
        wrmsr
        rdtsc
        CHECK_EQ edx, 0x12345678, "TSC high"
        cmp eax, 10000                  ; a few instructions of virtual time later
        jb .tsc
        call print_hex
        FAIL "TSC low"
.tsc:   mov ecx, 0x10
        rdmsr
        CHECK_EQ edx, 0x12345678, "RDMSR TSC"
        OK "TSC"

        ; SYSEXIT needs CPL 0 and a non-null SYSENTER_CS; SYSENTER a non-null SYSENTER_CS.
        mov ecx, SYSENTER_CS
        xor edx, edx
        mov eax, 3                      ; selector 0 with RPL 3: still null
        wrmsr
        EXPECT 13, 0, 2
        sysenter
        EXPECT_TAKEN "SYSENTER null CS"
        EXPECT 13, 0, 2
        sysexit
        EXPECT_TAKEN "SYSEXIT null CS"
        mov ecx, SYSENTER_CS
        mov eax, SEL_CODE0
        wrmsr
        OK "SEP GP"

        ; To ring 3 through IRET, then SYSENTER to ring0_entry and SYSEXIT back.
        mov eax, 0x41                   ; INT 41h: DPL-3 gate back to ring 0 to finish
        mov ebx, ROM_BASE + ring0_finish
        mov ecx, SEL_CODE0 | (0xEE << 16)
        call set_gate
        push SEL_DATA3
        push STACK3
        push 0x002
        push SEL_CODE3
        push ROM_BASE + user
        iretd

user:   mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        ; RDMSR and WRMSR at CPL 3: #GP(0).
        mov ecx, 0x10
        EXPECT 13, 0, 2
        rdmsr
        EXPECT_TAKEN "RDMSR CPL 3"
        EXPECT 13, 0, 2
        wrmsr
        EXPECT_TAKEN "WRMSR CPL 3"
        EXPECT 13, 0, 2                 ; SYSEXIT at CPL 3: #GP(0)
        sysexit
        EXPECT_TAKEN "SYSEXIT CPL 3"
        mov [ring3_esp], esp
        mov ebp, 0x5A5A5A5A
        sysenter
        ud2                             ; SYSENTER does not return here
sysexit_target:
        CHECK_EQ ebp, 0xA5A5A5A5, "ring 0 ran"
        mov eax, cs
        CHECK_EQ eax, SEL_CODE3, "SYSEXIT CS"
        mov eax, ss
        CHECK_EQ eax, SEL_DATA3, "SYSEXIT SS"
        CHECK_EQ esp, STACK3 - 0x40, "SYSEXIT ESP"
        mov eax, [esp]                  ; the flat ring-3 stack works
        int 0x41

; Entered by SYSENTER: CPL 0, CS = SYSENTER_CS, SS = CS + 8, ESP = SYSENTER_ESP.
ring0_entry:
        CHECK_EQ ebp, 0x5A5A5A5A, "SYSENTER registers"
        mov eax, cs
        CHECK_EQ eax, SEL_CODE0, "SYSENTER CS"
        mov eax, ss
        CHECK_EQ eax, SEL_DATA0, "SYSENTER SS"
        CHECK_EQ esp, STACK0 - 0x100, "SYSENTER ESP"
        push eax                        ; the ring-0 stack is flat and writable
        pop eax
        pushfd
        pop eax
        test eax, 0x200                 ; IF clear
        jz .if
        FAIL "SYSENTER IF"
.if:    OK "SYSENTER"
        mov ebp, 0xA5A5A5A5
        mov ecx, STACK3 - 0x40
        mov edx, ROM_BASE + sysexit_target
        sysexit

ring0_finish:
        mov ax, SEL_DATA0
        mov ds, ax
        OK "SYSEXIT"
        ALL_OK

GUEST_END
