; ghost86 system test guest: the TSS I/O permission bitmap (SDM Vol.1 §19.5). At CPL 3 with
; IOPL 0 a port access is allowed only when the bits of all its bytes are clear; an access whose
; bits span two bitmap bytes checks both; the processor reads two bitmap bytes per access, so
; both must lie within the TSS limit; with IOPL 3 (or at CPL 0) the bitmap is not consulted.
%include "lib/guest.inc"

%define FAULTS  TEST_VARS           ; dword: announced #GP(0) taken at ring 3
%define BITMAP  TSS_BASE + 104

; One ring-3 access that must fault: announce it and count it.
%macro DENIED 1+
        EXPECT 13, 0, %%e - %%s
%%s:    %1
%%e:    mov eax, [got_count]
        add [FAULTS], eax
%endmacro

%macro RING3 2                      ; code, EFLAGS
        mov dword [FAULTS], 0
        mov eax, ROM_BASE + %1
        mov ebx, %2
        call to_ring3
%endmacro

test_main:
        mov edi, BITMAP                 ; ports 0..3FFh, all denied, then the all-ones byte
        mov ecx, 129
        mov al, 0xFF
        rep stosb
        and byte [BITMAP + 0x10], 0x0E  ; 80h allowed, 81h-83h denied
        and byte [BITMAP + 0x10], 0x0F  ; 84h-87h allowed (88h denied)
        and byte [BITMAP + 0x7F], 0x7F  ; 3FFh allowed
        mov eax, 104 + 128              ; the bitmap and its trailing byte
        call tss_set_limit

        RING3 r3_ports, 0x002
        CHECK_EQ dword [FAULTS], 5, "denied accesses"
        OK "bitmap"

        mov eax, 104 + 127              ; trailing byte beyond the limit
        call tss_set_limit
        RING3 r3_limit, 0x002
        CHECK_EQ dword [FAULTS], 2, "beyond limit"
        mov eax, 103                    ; no bitmap at all
        call tss_set_limit
        RING3 r3_nomap, 0x002
        CHECK_EQ dword [FAULTS], 1, "no bitmap"
        OK "limit"

        RING3 r3_iopl3, 0x3002          ; IOPL 3: everything allowed
        CHECK_EQ dword [FAULTS], 0, "IOPL 3"
        in al, 0x81                     ; CPL 0 <= IOPL 0
        OK "IOPL"
        ALL_OK

r3_ports:
        in al, 0x80
        out 0x80, al
        DENIED in al, 0x81
        DENIED in ax, 0x80              ; 81h is denied
        in eax, 0x84
        DENIED in eax, 0x85             ; 88h is denied
        DENIED in ax, 0x87              ; bits in two bitmap bytes
        mov dx, 0x3FF
        in al, dx
        DENIED in al, 0x8F
        int 0x41

r3_limit:
        in al, 0x80
        mov dx, 0x3FF                   ; its second bitmap byte is beyond the limit
        DENIED in al, dx
        mov dx, 0x400
        DENIED in al, dx
        int 0x41

r3_nomap:
        DENIED in al, 0x80
        int 0x41

r3_iopl3:
        in al, 0x81
        in eax, 0x85
        mov dx, 0x400
        in al, dx
        int 0x41
GUEST_END
