; ghost86 system test guest: protected-mode exceptions and privilege transitions.
; Boots as firmware (-bios), enters 32-bit protected mode and checks, from inside the guest:
;   #DE through an interrupt gate, with the return address of the faulting DIV;
;   #GP with the error code of a bad selector;
;   #PF with CR2 and the error code, fixed up by the handler and the access retried;
;   ring 0 -> ring 3 by IRETD, a system call from ring 3 through a DPL-3 trap gate with the
;   stack switch from the TSS, and #GP(0) from a ring-3 CLI.
; Each check prints "<name> ok" on port E9h; a failed one prints "FAIL <name>" and stops.

%define ROM_BASE 0xF0000
%define PD       0x90000      ; page directory
%define PT1      0x91000      ; page table for 4 MB..8 MB
%define STACK0   0x80000
%define STACK3   0x70000
%define TSS_ADDR 0x60000

        bits 16
        section .text start=0
start16:
        cli
        lgdt [cs:gdt_desc]
        lidt [cs:idt_desc]
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
        mov esp, STACK0

        ; TSS: ESP0/SS0 for the ring-3 -> ring-0 stack switch.
        mov edi, TSS_ADDR
        xor eax, eax
        mov ecx, 26
        rep stosd
        mov dword [TSS_ADDR + 4], STACK0
        mov dword [TSS_ADDR + 8], 0x10
        mov ax, 0x28
        ltr ax
        str bx
        cmp bx, 0x28
        jne fail_str

        ; --- #DE ---
        mov byte [expect], 0
        xor edx, edx
        mov eax, 1
        xor ecx, ecx
de_insn:
        div ecx                       ; 2 bytes; the handler skips it
        cmp byte [seen], 1
        jne fail_de
        mov esi, ROM_BASE + m_de
        call print

        ; --- #GP(selector) ---
        mov byte [seen], 0
        mov byte [expect], 13
        mov dword [expect_err], 0x1230
        mov ax, 0x1230                ; beyond the GDT limit
gp_insn:
        mov ds, ax                    ; 2 bytes
        mov ax, 0x10
        mov ds, ax
        cmp byte [seen], 1
        jne fail_gp
        mov esi, ROM_BASE + m_gp
        call print

        ; --- paging and #PF ---
        mov edi, PD
        xor eax, eax
        mov ecx, 2048
        rep stosd                     ; clears PD and PT1
        mov dword [PD], 0x00000087          ; 0..4 MB: 4 MB page, user, writable, present
        mov dword [PD + 4], PT1 | 7         ; 4..8 MB: page table
        mov dword [PT1 + 4], 0x00401007     ; 401000h present; 400000h not present
        mov eax, cr4
        or eax, 0x10                  ; PSE
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov byte [seen], 0
        mov byte [expect], 14
        mov dword [expect_err], 0     ; read, supervisor, not present
        mov ebx, 0x400000
        mov eax, [ebx + 0x10]         ; faults; the handler maps the page and retries
        cmp byte [seen], 1
        jne fail_pf
        mov esi, ROM_BASE + m_pf
        call print

        ; --- ring 3 ---
        mov byte [seen], 0
        push 0x23                     ; SS3 (data, DPL 3)
        push STACK3
        push 0x002                    ; EFLAGS: IF=0, IOPL=0
        push 0x1b                     ; CS3
        push ROM_BASE + user_code
        iretd

user_code:
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        mov eax, 42
        int 0x80                      ; the trap gate answers EAX + 1
        cmp eax, 43
        jne user_bad
        mov byte [expect], 13
        mov dword [expect_err], 0
        cli                           ; IOPL 0 at CPL 3: #GP(0), handled at ring 0
user_bad:
        int 0x80                      ; never returns with EAX = 42... stop
        jmp $

; ---- handlers ----
de_handler:
        cmp dword [esp], ROM_BASE + de_insn
        jne fail_de
        add dword [esp], 2
        mov byte [seen], 1
        iretd

gp_handler:
        mov eax, [esp]                ; error code
        cmp eax, [expect_err]
        jne fail_gp
        test dword [esp + 8], 3       ; from ring 3?
        jnz .ring3
        cmp dword [esp + 4], ROM_BASE + gp_insn
        jne fail_gp
        add dword [esp + 4], 2
        add esp, 4
        mov byte [seen], 1
        iretd
.ring3: cmp dword [esp + 4], ROM_BASE + user_bad - 1   ; the CLI
        jne fail_ring3
        mov ax, 0x10
        mov ds, ax
        mov esi, ROM_BASE + m_ring3
        call print
        mov esi, ROM_BASE + m_all
        call print
        mov al, 0
        out 0xF4, al
        jmp $

pf_handler:
        mov eax, [esp]
        cmp eax, [expect_err]
        jne fail_pf
        mov eax, cr2
        cmp eax, 0x400010
        jne fail_pf
        mov dword [PT1], 0x00400007   ; map the page
        invlpg [0x400000]
        add esp, 4
        mov byte [seen], 1
        iretd

syscall_handler:
        ; Entered at CPL 0 on the TSS stack: EIP, CS, EFLAGS, ESP, SS of ring 3.
        cmp dword [esp + 16], 0x23
        jne fail_syscall
        cmp esp, STACK0 - 20
        jne fail_syscall
        cmp eax, 42
        jne fail_syscall
        inc eax
        push eax
        push ds
        mov ax, 0x10
        mov ds, ax
        mov esi, ROM_BASE + m_sys
        call print
        pop ds
        pop eax
        iretd

fail_str:     mov esi, ROM_BASE + f_str
              jmp fail
fail_de:      mov esi, ROM_BASE + f_de
              jmp fail
fail_gp:      mov esi, ROM_BASE + f_gp
              jmp fail
fail_pf:      mov esi, ROM_BASE + f_pf
              jmp fail
fail_syscall: mov esi, ROM_BASE + f_sys
              jmp fail
fail_ring3:   mov esi, ROM_BASE + f_ring3
fail:   mov ax, 0x10
        mov ds, ax
        call print
        mov al, 1
        out 0xF4, al
        jmp $

; ESI -> NUL-terminated string on port E9h (ring 0 only)
print:  push eax
.next:  mov al, [cs:esi]
        test al, al
        jz .done
        out 0xE9, al
        inc esi
        jmp .next
.done:  pop eax
        ret

m_de:    db "DE ok", 10, 0
m_gp:    db "GP ok", 10, 0
m_pf:    db "PF ok", 10, 0
m_sys:   db "SYSCALL ok", 10, 0
m_ring3: db "RING3 GP ok", 10, 0
m_all:   db "ALL OK", 10, 0
f_str:   db "FAIL str", 10, 0
f_de:    db "FAIL de", 10, 0
f_gp:    db "FAIL gp", 10, 0
f_pf:    db "FAIL pf", 10, 0
f_sys:   db "FAIL syscall", 10, 0
f_ring3: db "FAIL ring3", 10, 0

%define GATE(off, sel, type) dw (ROM_BASE + off - $$) & 0xFFFF, sel, type << 8, (ROM_BASE + off - $$) >> 16

        align 8
gdt:    dq 0
        dq 0x00CF9B000000FFFF         ; 08h: ring-0 code
        dq 0x00CF93000000FFFF         ; 10h: ring-0 data
        dq 0x00CFFB000000FFFF         ; 18h: ring-3 code
        dq 0x00CFF3000000FFFF         ; 20h: ring-3 data
        dw 103, TSS_ADDR & 0xFFFF     ; 28h: 32-bit TSS at 60000h, limit 103
        db (TSS_ADDR >> 16) & 0xFF, 0x89, 0x00, 0x00
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd ROM_BASE + gdt

idt:
        GATE(de_handler, 0x08, 0x8E)  ; 0: #DE, interrupt gate
%rep 12
        dq 0
%endrep
        GATE(gp_handler, 0x08, 0x8E)  ; 13: #GP
        GATE(pf_handler, 0x08, 0x8E)  ; 14: #PF
%rep 0x80 - 15
        dq 0
%endrep
        GATE(syscall_handler, 0x08, 0xEF)  ; 80h: 32-bit trap gate, DPL 3
idt_end:
idt_desc:
        dw idt_end - idt - 1
        dd ROM_BASE + idt

        section .bss start=0x500 nobits
expect:     resb 1
seen:       resb 1
            resb 2
expect_err: resd 1

        section .text
        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16
        jmp 0xF000:start16
        times 0x10000 - ($ - $$) db 0xFF
