; ghost86 system test guest: the local APIC and I/O APIC reached through the MMU by ordinary
; loads and stores (SDM Vol.3A ch.10; 82093AA datasheet): version registers, the APIC timer in
; one-shot and periodic mode waking HLT, IA32_APIC_BASE relocating the register page, and the
; PIT's IRQ 0 delivered through I/O APIC pin 2.
%include "lib/guest.inc"

%define LAPIC     0xFEE00000
%define IOAPIC    0xFEC00000
%define ticks     TEST_VARS + 0     ; dword: timer interrupts taken (vector 40h)
%define pit_ticks TEST_VARS + 4     ; dword: PIT interrupts taken (vector 41h)

test_main:
        mov dword [ticks], 0
        mov dword [pit_ticks], 0
        mov eax, 0x40
        mov ebx, ROM_BASE + timer_isr
        mov ecx, 0x08 | (0x8E << 16)
        call set_gate
        mov eax, 0x41
        mov ebx, ROM_BASE + pit_isr
        mov ecx, 0x08 | (0x8E << 16)
        call set_gate

        CHECK_EQ dword [LAPIC + 0x30], 0x00050014, "LAPIC version"
        mov dword [IOAPIC], 1
        CHECK_EQ dword [IOAPIC + 0x10], 0x00170011, "IOAPIC version"
        OK "VERSIONS"

        ; Software enable, timer one-shot with vector 40h, divide by 1, 100000 ticks.
        mov dword [LAPIC + 0xF0], 0x1FF
        mov dword [LAPIC + 0x3E0], 0xB
        mov dword [LAPIC + 0x320], 0x40
        mov dword [LAPIC + 0x380], 100000
        mov eax, [LAPIC + 0x390]
        cmp eax, 100000
        ja .count_bad
        test eax, eax
        jnz .count_ok
.count_bad:
        call print_hex
        FAIL "current count"
.count_ok:
        sti
        hlt
        cli
        CHECK_EQ dword [ticks], 1, "one-shot"
        CHECK_EQ dword [LAPIC + 0x390], 0, "one-shot count"
        OK "ONE-SHOT"

        ; Periodic, 10000 ticks: five interrupts wake five HLTs.
        mov dword [LAPIC + 0x320], 0x20040
        mov dword [LAPIC + 0x380], 10000
.wait:  sti
        hlt
        cli
        cmp dword [ticks], 6
        jb .wait
        mov dword [LAPIC + 0x320], 0x10040
        OK "PERIODIC"

        ; IA32_APIC_BASE: the page moves to FED00000h; nothing answers at FEE00000h then.
        mov ecx, 0x1B
        xor edx, edx
        mov eax, 0xFED00900
        wrmsr
        CHECK_EQ dword [0xFED00030], 0x00050014, "relocated version"
        CHECK_EQ dword [LAPIC + 0x30], 0xFFFFFFFF, "old page"
        mov eax, 0xFEE00900
        wrmsr
        CHECK_EQ dword [LAPIC + 0xF0], 0x1FF, "SVR kept"
        OK "RELOCATE"

        ; PIT channel 0, mode 2, count 1193 (1 ms): IRQ 0 -> I/O APIC pin 2 -> vector 41h, edge,
        ; physical destination 0. The 8259s stay masked (never initialised).
        mov dword [IOAPIC], 0x15
        mov dword [IOAPIC + 0x10], 0
        mov dword [IOAPIC], 0x14
        mov dword [IOAPIC + 0x10], 0x41
        mov al, 0x34
        out 0x43, al
        mov al, 1193 & 0xFF
        out 0x40, al
        mov al, 1193 >> 8
        out 0x40, al
.pit:   sti
        hlt
        cli
        cmp dword [pit_ticks], 3
        jb .pit
        mov dword [IOAPIC], 0x14
        mov dword [IOAPIC + 0x10], 0x10041
        CHECK_EQ dword [ticks], 6, "no stray timer"
        OK "IOAPIC"
        ALL_OK

timer_isr:
        inc dword [ticks]
        mov dword [LAPIC + 0xB0], 0
        iretd

pit_isr:
        inc dword [pit_ticks]
        mov dword [LAPIC + 0xB0], 0
        iretd

GUEST_END
