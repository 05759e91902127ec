; A Multiboot (0.6.96) kernel in the a.out-kludge form, run with
;   ghost86 -m 32 -kernel multiboot_kernel.bin -append "hello=world" -initrd "multiboot_kernel.bin modarg"
; It checks what the loader hands over against the Multiboot spec, then finds the ACPI tables
; the way an OS does (RSDP in the first KB of the EBDA named by the BIOS data area) and powers
; the machine off through the FADT's PM1a control block. Output goes to port E9h; a failed check
; prints "FAIL <n>" and exits through isa-debug-exit (port F4h).
bits 32
org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ (1 << 0) | (1 << 1) | (1 << 16)  ; page-aligned modules, memory info, address fields

file_start:
header:
  dd MB_MAGIC
  dd MB_FLAGS
  dd -(MB_MAGIC + MB_FLAGS)
  dd header      ; header_addr
  dd file_start  ; load_addr
  dd file_end    ; load_end_addr
  dd bss_end     ; bss_end_addr
  dd start       ; entry_addr

%macro check 2  ; check <condition code>, <failure number>: fail unless the condition holds
  j%+1 %%ok
  mov al, %2
  jmp fail
%%ok:
%endmacro

start:
  mov esp, stack_top
  cmp eax, 0x2badb002
  check e, 1
  mov ebp, ebx                          ; EBP: the info structure
  ; flags: mem (0), cmdline (2), mods (3), mmap (6)
  mov eax, [ebp]
  and eax, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6)
  cmp eax, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6)
  check e, 2
  ; -m 32: mem_upper is the KB from 1 MB to the top of RAM; mem_lower at most 640
  cmp dword [ebp + 8], (32 - 1) * 1024
  check e, 3
  cmp dword [ebp + 4], 640
  check be, 4
  cmp dword [ebp + 4], 512
  check ae, 4
  ; the command line ends in "hello=world"
  mov esi, [ebp + 16]
  mov edi, hello
  call ends_with
  check e, 5
  ; bss is zero
  mov edi, bss_start
  mov ecx, (zero_end - bss_start) / 4
  xor eax, eax
  repe scasd
  check e, 6
  ; one module: this very file, page-aligned, string ending in " modarg"
  cmp dword [ebp + 20], 1
  check e, 7
  mov ebx, [ebp + 24]
  mov eax, [ebx]
  test eax, 0xfff
  check z, 8
  cmp eax, bss_end
  check ae, 8
  mov ecx, [ebx + 4]
  sub ecx, eax
  cmp ecx, file_end - file_start
  check e, 9
  cmp dword [eax], MB_MAGIC
  check e, 9
  mov esi, [ebx + 8]
  mov edi, modarg
  call ends_with
  check e, 10
  ; memory map: entries {size, base, length, type}; the RAM above 1 MB is mem_upper KB
  mov esi, [ebp + 48]
  mov ecx, [ebp + 44]
  add ecx, esi
  xor edx, edx                          ; RAM bytes at or above 1 MB
.mmap:
  cmp esi, ecx
  jae .mmap_done
  cmp dword [esi + 20], 1
  jne .next
  cmp dword [esi + 4], 0x100000
  jb .next
  add edx, [esi + 12]
.next:
  add esi, [esi]
  add esi, 4
  jmp .mmap
.mmap_done:
  mov eax, [ebp + 8]
  shl eax, 10
  cmp edx, eax
  check e, 11
  mov esi, ok_msg
  call print

  ; ACPI: EBDA segment at 40Eh, RSDP in its first KB on a 16-byte boundary, checksummed.
  movzx esi, word [0x40e]
  shl esi, 4
  lea ecx, [esi + 1024]
.scan:
  cmp esi, ecx
  check b, 12
  cmp dword [esi], 'RSD '
  jne .scan_next
  cmp dword [esi + 4], 'PTR '
  jne .scan_next
  push ecx
  mov ecx, 20
  call checksum
  pop ecx
  jz .found
.scan_next:
  add esi, 16
  jmp .scan
.found:
  mov esi, [esi + 16]                   ; RSDT
  cmp dword [esi], 'RSDT'
  check e, 13
  mov ecx, [esi + 4]
  call checksum
  check z, 13
  mov esi, [esi + 36]                   ; first entry: the FADT
  cmp dword [esi], 'FACP'
  check e, 14
  mov ecx, [esi + 4]
  call checksum
  check z, 14
  mov edi, esi
  mov esi, acpi_msg
  call print
  ; Soft-off: SLP_TYP 0 (the DSDT's \_S5) with SLP_EN in PM1a_CNT.
  mov edx, [edi + 64]
  mov ax, 1 << 13
  out dx, ax
  mov al, 15                            ; still running: the power-off failed
  jmp fail

; ZF set when the string at ESI ends with the string at EDI.
ends_with:
  push esi
  push edi
.end_s: cmp byte [esi], 0
  je .found_s
  inc esi
  jmp .end_s
.found_s:
  mov ebx, edi
.end_t: cmp byte [edi], 0
  je .cmp
  inc edi
  jmp .end_t
.cmp:
  mov ecx, edi
  sub ecx, ebx                          ; length of the suffix
  sub esi, ecx
  mov edi, ebx
  repe cmpsb
  pop edi
  pop esi
  ret

; ZF set when the ECX bytes at ESI sum to 0 (mod 256).
checksum:
  push esi
  xor al, al
.c: add al, [esi]
  inc esi
  loop .c
  pop esi
  test al, al
  ret

print:
  mov dx, 0xe9
.p: lodsb
  test al, al
  jz .done
  out dx, al
  jmp .p
.done:
  ret

fail:  ; AL: the failed check's number
  mov bl, al
  mov esi, fail_msg
  call print
  mov al, bl
  aam                                   ; two decimal digits
  add ax, '00'
  xchg al, ah
  out dx, al
  mov al, ah
  out dx, al
  mov al, 10
  out dx, al
  mov al, 1
  out 0xf4, al
  hlt

hello: db "hello=world", 0
modarg: db " modarg", 0
ok_msg: db "MULTIBOOT-INFO-OK", 10, 0
acpi_msg: db "ACPI-FADT-OK", 10, 0
fail_msg: db "FAIL ", 0
align 4
file_end:

; Not in the file: the loader clears it up to bss_end_addr.
bss_start equ file_end
zero_end equ bss_start + 4096     ; checked to be zero
stack_top equ zero_end + 1024
bss_end equ stack_top
