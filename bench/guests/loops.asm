; Benchmark guest in assembly, a Multiboot kernel (a.out kludge, flat binary at 1 MiB): three
; hand-written loops, sized at assembly time:
;   ALU_ITERS   register-only ALU loop (add, xor, shift, sub, dec/jnz)
;   MEM_PASSES  passes of loads, byte loads and read-modify-write stores over a 64 KiB array
;   FIB_N       naive recursive Fibonacci (call/ret/push/pop)
; Prints "loops checksum=XXXXXXXX" on port E9h and exits through isa-debug-exit (port F4h).
; loops_host.c computes the same checksum natively.

%ifndef ALU_ITERS
%define ALU_ITERS 800000000
%endif
%ifndef MEM_PASSES
%define MEM_PASSES 6000
%endif
%ifndef FIB_N
%define FIB_N 31
%endif
%define LOAD_ADDR 0x100000
%define ARRAY 0x200000
%define WORDS 16384

        bits 32
        org LOAD_ADDR
mb_header:
        dd 0x1BADB002                   ; magic
        dd 0x00010000                   ; flags: the address fields below are valid
        dd -(0x1BADB002 + 0x00010000)   ; checksum
        dd mb_header                    ; header_addr
        dd LOAD_ADDR                    ; load_addr
        dd image_end                    ; load_end_addr
        dd bss_end                      ; bss_end_addr
        dd start                        ; entry_addr

start:
        cli
        cld
        mov esp, stack_top

        ; ALU loop
        xor eax, eax
        mov ebx, 0x12345678
        mov ecx, ALU_ITERS
.alu:   add eax, ebx
        xor ebx, eax
        shl eax, 1
        sub ebx, ecx
        dec ecx
        jnz .alu
        add eax, ebx
        mov [result], eax

        ; memory loop: word i = i + 1, then each pass sums the words and adds each word's
        ; second byte to it
        mov edi, ARRAY
        mov ecx, WORDS
.fill:  mov [edi + ecx*4 - 4], ecx
        loop .fill
        xor eax, eax
        mov edx, MEM_PASSES
.pass:  mov esi, ARRAY
        mov ecx, WORDS
.sum:   add eax, [esi]
        movzx ebx, byte [esi + 1]
        add [esi], ebx
        add esi, 4
        dec ecx
        jnz .sum
        dec edx
        jnz .pass
        imul ebx, [result], 31
        add eax, ebx
        mov [result], eax

        mov ecx, FIB_N
        call fib
        imul ebx, [result], 31
        add eax, ebx

        ; print "loops checksum=" and EAX in hex, then exit
        mov ebx, eax
        mov esi, label
.label: lodsb
        test al, al
        jz .hexd
        out 0xE9, al
        jmp .label
.hexd:  mov ecx, 8
.hex:   rol ebx, 4
        mov eax, ebx
        and eax, 15
        mov al, [hexdigits + eax]
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

label:  db "loops checksum=", 0
hexdigits: db "0123456789abcdef"
image_end:

        absolute image_end
        alignb 4
result: resd 1
        alignb 16
        resb 65536
stack_top:
bss_end:
