; A Multiboot kernel (a.out-kludge form) caught in a loop of events that retire no instruction,
; for the run limits: its first instruction is UD2.
;   default:            the IDT is empty (limit 0), so #UD becomes #GP, then #DF, then a triple
;                       fault; the machine resets and enters the kernel again, forever.
;   -DEXCEPTION_LOOP:   a #UD handler returns to the UD2 (a fault restarts the instruction), so
;                       the processor takes #UD forever.
bits 32
org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ (1 << 16)  ; the address fields below
CODE_SEL equ 0x10       ; the flat code segment the loader sets up

file_start:
header:
  dd MB_MAGIC
  dd MB_FLAGS
  dd -(MB_MAGIC + MB_FLAGS)
  dd header      ; header_addr
  dd file_start  ; load_addr
  dd file_end    ; load_end_addr
  dd file_end    ; bss_end_addr
  dd start       ; entry_addr

start:
%ifdef EXCEPTION_LOOP
  mov esp, 0x90000  ; Multiboot leaves ESP undefined: a stack in low RAM for the handler's frame
  ; IDT entry 6 (#UD): a 32-bit interrupt gate to `handler`
  mov eax, handler
  mov [idt + 6 * 8], ax
  mov word [idt + 6 * 8 + 2], CODE_SEL
  mov word [idt + 6 * 8 + 4], 0x8e00
  shr eax, 16
  mov [idt + 6 * 8 + 6], ax
  lidt [idtr]
%endif
fault:
  ud2
handler:
  iret

align 8
idtr:
  dw 7 * 8 - 1
  dd idt
idt:
  times 7 * 8 db 0
file_end:
