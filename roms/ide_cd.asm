; A minimal El Torito CD image (ISO 9660 volume descriptors, boot catalog, one no-emulation
; boot image) for the ATAPI boot test. The boot image reads the primary volume descriptor
; through INT 13h, checks it, prints a marker on port E9h and exits through isa-debug-exit:
; 21h on success (exit status 67), 01h on failure (exit status 3).
%define SECTOR 2048
%define CATALOG_LBA 19
%define BOOT_LBA 20
%define TOTAL_SECTORS 32

section pvd start=16*SECTOR
  db 1, "CD001", 1, 0
  times 32 db ' '                  ; system identifier
  db "GHOST86_TEST"                ; volume identifier
  times 20 db ' '
  times 8 db 0
  dd TOTAL_SECTORS                 ; volume space size, both byte orders
  db 0, 0, 0, TOTAL_SECTORS
  times 32 db 0
  dw 1, 0x0100                     ; volume set size
  dw 1, 0x0100                     ; volume sequence number
  dw SECTOR, 0x0008                ; logical block size
  times SECTOR - ($ - $$) db 0

section bootrec start=17*SECTOR
  db 0, "CD001", 1
  db "EL TORITO SPECIFICATION"
  times 0x47 - ($ - $$) db 0
  dd CATALOG_LBA
  times SECTOR - ($ - $$) db 0

section term start=18*SECTOR
  db 255, "CD001", 1
  times SECTOR - ($ - $$) db 0

section catalog start=CATALOG_LBA*SECTOR
  ; Validation entry: the 16 words sum to zero.
  db 1, 0                          ; header, platform 80x86
  dw 0
  times 24 db 0                    ; ID string
  dw (0x10000 - (0x0001 + 0xaa55)) & 0xffff
  db 0x55, 0xaa
  ; Initial/default entry: bootable, no emulation, default segment, 4 virtual sectors.
  db 0x88, 0
  dw 0
  db 0, 0
  dw 4
  dd BOOT_LBA
  times SECTOR - ($ - $$) db 0

section boot start=BOOT_LBA*SECTOR vstart=0x7c00
bits 16
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  sti
  cld
  mov si, dap
  mov ah, 0x42
  int 0x13
  jc fail
  cmp dword [0x8001], "CD00"
  jne fail
  cmp byte [0x8000], 1
  jne fail
  mov si, msg_ok
  call print
  mov al, 0x21
  out 0xf4, al
  jmp $
fail:
  mov si, msg_fail
  call print
  mov al, 0x01
  out 0xf4, al
  jmp $
%include "lib/print16.inc"
align 4
dap: db 16, 0
     dw 1, 0x8000, 0
     dq 16
msg_ok:   db "ELTORITO-OK", 10, 0
msg_fail: db "ELTORITO-FAIL", 10, 0
  times SECTOR - ($ - $$) db 0

%assign TAIL_START (BOOT_LBA + 1) * SECTOR
%assign TAIL_BYTES (TOTAL_SECTORS - BOOT_LBA - 1) * SECTOR
section tail start=TAIL_START
  times TAIL_BYTES db 0
