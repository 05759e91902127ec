; A 1 MiB raw disk image for the IDE boot test: the MBR reads sectors through INT 13h (LBA
; extended read of the last sector, a CHS read, an extended write and read back), prints a marker
; on the debug console (port E9h) and reports through isa-debug-exit (port F4h): 20h on success
; (exit status 65), 01h on failure (exit status 3).
bits 16
org 0x7c00

start:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  sti
  cld
  mov [drive], dl
  ; Extended read of the last sector.
  mov si, dap_last
  mov ah, 0x42
  int 0x13
  jc fail
  mov si, 0x8000
  mov di, magic_last
  call compare
  ; CHS read of sector 2 (cylinder 0, head 0).
  mov ax, 0x0201
  mov bx, 0x9000
  mov cx, 0x0002
  xor dh, dh
  mov dl, [drive]
  int 0x13
  jc fail
  mov si, 0x9000
  mov di, magic_two
  call compare
  ; Write that sector to LBA 100, read it back elsewhere.
  mov si, dap_write
  mov ax, 0x4300
  mov dl, [drive]
  int 0x13
  jc fail
  mov si, dap_back
  mov ah, 0x42
  mov dl, [drive]
  int 0x13
  jc fail
  mov si, 0xa000
  mov di, magic_two
  call compare
  mov si, msg_ok
  call print
  mov al, 0x20
  out 0xf4, al
  jmp $

fail:
  mov si, msg_fail
  call print
  mov al, 0x01
  out 0xf4, al
  jmp $

; Compares the NUL-terminated string at DI with memory at SI; fails on a difference.
compare:
  mov al, [di]
  test al, al
  jz .done
  cmp al, [si]
  jne fail
  inc si
  inc di
  jmp compare
.done:
  ret

%include "lib/print16.inc"

align 4
dap_last:  db 16, 0
           dw 1, 0x8000, 0
           dq 2047
dap_write: db 16, 0
           dw 1, 0x9000, 0
           dq 100
dap_back:  db 16, 0
           dw 1, 0xa000, 0
           dq 100
drive:     db 0
msg_ok:    db "IDE-MBR-OK", 10, 0
msg_fail:  db "IDE-MBR-FAIL", 10, 0
magic_last: db "LAST-SECTOR", 0

  times 510 - ($ - $$) db 0
  dw 0xaa55
magic_two: db "SECOND-SECTOR", 0
  times 2047 * 512 - ($ - $$) db 0
  db "LAST-SECTOR", 0
  times 2048 * 512 - ($ - $$) db 0
