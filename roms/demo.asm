; ghost86 demo firmware (64 KiB, mapped at F0000h and FFFF0000h).
;
; Starts at the reset vector in real mode, prints a greeting on the debug console (port E9h),
; switches to 32-bit protected mode with flat segments, runs a sieve of Eratosthenes over
; 0..99999 in RAM above 1 MiB, prints the number of primes and their sum in decimal, and halts.
; Expected output (a mathematical fact, not an emulator capture): 9592 primes, sum 454396537.

%define ROM_BASE   0xF0000
%define SIEVE      0x100000          ; sieve bytes live at 1 MiB
%define LIMIT      100000
%define DEBUGCON   0xE9

        bits 16
        section .text start=0

start16:
        cli
        cld
        mov ax, cs
        mov ds, ax
        mov si, msg_hello
        call print16
        lgdt [cs:gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:(ROM_BASE + pm_entry)

; DS:SI -> NUL-terminated string
print16:
        mov dx, DEBUGCON
.next:  lodsb
        test al, al
        jz .done
        out dx, al
        jmp .next
.done:  ret

        bits 32
pm_entry:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x80000

        mov esi, ROM_BASE + msg_pm
        call print32

        ; sieve[i] = 1 for all i, then strike multiples.
        mov edi, SIEVE
        mov ecx, LIMIT
        mov al, 1
        rep stosb
        mov byte [SIEVE], 0
        mov byte [SIEVE + 1], 0
        mov ebx, 2
.outer: mov eax, ebx
        mul ebx                      ; edx:eax = i*i
        cmp eax, LIMIT
        jae .count
        cmp byte [SIEVE + ebx], 0
        je .skip
.inner: mov byte [SIEVE + eax], 0
        add eax, ebx
        cmp eax, LIMIT
        jb .inner
.skip:  inc ebx
        jmp .outer

.count: xor ecx, ecx                 ; number of primes
        xor ebp, ebp                 ; their sum
        xor ebx, ebx
.cnt:   movzx eax, byte [SIEVE + ebx]
        test eax, eax
        jz .notp
        inc ecx
        add ebp, ebx
.notp:  inc ebx
        cmp ebx, LIMIT
        jb .cnt

        push ebp
        mov esi, ROM_BASE + msg_count
        call print32
        mov eax, ecx
        call print_dec
        mov esi, ROM_BASE + msg_sum
        call print32
        pop eax
        call print_dec
        mov esi, ROM_BASE + msg_end
        call print32
.halt:  hlt
        jmp .halt

; ESI -> NUL-terminated string
print32:
        push eax
        push edx
        mov dx, DEBUGCON
.next:  lodsb
        test al, al
        jz .done
        out dx, al
        jmp .next
.done:  pop edx
        pop eax
        ret

; EAX printed in decimal
print_dec:
        pushad
        mov ebx, 10
        xor ecx, ecx
.div:   xor edx, edx
        div ebx
        push edx
        inc ecx
        test eax, eax
        jnz .div
        mov dx, DEBUGCON
.out:   pop eax
        add al, '0'
        out dx, al
        loop .out
        popad
        ret

msg_hello:  db "ghost86 demo: hello from real mode", 10, 0
msg_pm:     db "ghost86 demo: 32-bit protected mode, flat segments", 10, 0
msg_count:  db "ghost86 demo: primes below 100000: ", 0
msg_sum:    db ", sum ", 0
msg_end:    db 10, 0

        align 8
gdt:    dq 0
        dq 0x00CF9B000000FFFF        ; 08h: code, base 0, limit 4 GiB, 32-bit
        dq 0x00CF93000000FFFF        ; 10h: data, base 0, limit 4 GiB
gdt_end:
gdt_desc:
        dw gdt_end - gdt - 1
        dd ROM_BASE + gdt

        times 0xFFF0 - ($ - $$) db 0xFF
        bits 16                       ; the reset vector runs in real mode
reset_vector:                         ; F000:FFF0
        jmp 0xF000:start16
        times 0x10000 - ($ - $$) db 0xFF
