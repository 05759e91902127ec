; ghost86 system test guest: paging (SDM Vol.3 chapter 4). Page faults of each kind with CR2
; and the error code (§4.7), CR0.WP, U/S, 4 MB PSE pages, PAE with 2 MB and 4 KB pages and
; reserved bits, accessed/dirty bits, and TLB maintenance: a global entry survives a CR3 load
; and is removed by INVLPG or a CR4.PGE toggle (§4.10.4).
%include "lib/guest.inc"

%define PTE(p) PT_BASE + (p) * 4
%define PDPT   0x12000
%define PAE_PD 0x13000
%define PAE_PT 0x14000

; Ring-3 read or write of [ESI] (2-byte instructions), then back to ring 0.
%macro USER 1
        mov eax, ROM_BASE + %1
        mov ebx, 2
        call to_ring3
%endmacro

; PF_AT err, name: one page fault taken with that error code, CR2 = ESI.
%macro PF_AT 2
        EXPECT_TAKEN %2
        CHECK_EQ dword [got_cr2], esi, %2
%endmacro

test_main:
        call paging_on

        ; Not present: supervisor read, supervisor write, user read (PD[1] is empty).
        mov esi, 0x400123
        EXPECT 14, 0, 2
        mov eax, [esi]
        PF_AT 0, "np read"
        EXPECT 14, 2, 2
        mov [esi], eax
        PF_AT 2, "np write"
        EXPECT 14, 4, 2
        USER r3_read
        PF_AT 4, "np user read"
        mov dword [PTE(0x300)], 0       ; not present in the table this time
        invlpg [0x300000]
        mov esi, 0x300FFC
        EXPECT 14, 6, 2
        USER r3_write
        PF_AT 6, "np user write"
        OK "not present"

        ; Protection: a supervisor page read from ring 3; a read-only user page written from ring 3.
        mov dword [PTE(0x300)], 0x300000 | 3
        invlpg [0x300000]
        mov esi, 0x300010
        EXPECT 14, 5, 2
        USER r3_read
        PF_AT 5, "user reads supervisor"
        mov dword [PTE(0x301)], 0x301000 | 5
        invlpg [0x301000]
        mov esi, 0x301010
        USER r3_read                    ; reading is fine
        EXPECT 14, 7, 2
        USER r3_write
        PF_AT 7, "user writes read-only"
        OK "U/S R/W"

        ; CR0.WP: ring 0 may write a read-only page only while WP is clear.
        mov dword [esi], 0x11111111
        CHECK_EQ dword [0x301010], 0x11111111, "WP=0 write"
        mov eax, cr0
        or eax, 1 << 16
        mov cr0, eax
        EXPECT 14, 3, 2
        mov [esi], eax
        PF_AT 3, "WP=1 write"
        mov eax, cr0
        and eax, ~(1 << 16)
        mov cr0, eax
        OK "WP"

        ; Accessed and dirty bits: a read sets A, a write sets D, in the table entry; the
        ; directory entry gets A.
        mov dword [PTE(0x302)], 0x302000 | 7
        and dword [PD_BASE], ~0x60
        mov eax, cr3
        mov cr3, eax
        mov eax, [0x302000]
        CHECK_EQ dword [PTE(0x302)], 0x302000 | 0x27, "A after read"
        mov [0x302004], eax
        CHECK_EQ dword [PTE(0x302)], 0x302000 | 0x67, "D after write"
        mov eax, [PD_BASE]
        and eax, 0x60
        CHECK_EQ eax, 0x20, "PDE A"
        OK "A/D"

        ; PSE: a 4 MB page at 8 MB mapping physical 0; A and D land in the directory entry.
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov dword [PD_BASE + 2 * 4], 0x87
        mov dword [0x600], 0x12345678
        CHECK_EQ dword [0x800600], 0x12345678, "PSE alias read"
        CHECK_EQ dword [PD_BASE + 2 * 4], 0xA7, "PSE A"
        mov dword [0x800604], 0x9ABCDEF0
        CHECK_EQ dword [0x604], 0x9ABCDEF0, "PSE alias write"
        CHECK_EQ dword [PD_BASE + 2 * 4], 0xE7, "PSE D"
        mov esi, 0xBFFFFC               ; PD[2] user: a ring-3 write works; PD[3] is absent
        USER r3_write
        mov esi, 0xC00000
        EXPECT 14, 4, 2
        USER r3_read
        PF_AT 4, "PSE np"
        OK "PSE"

        ; TLB: stale entries are architecturally visible. Page 303h maps 304000h (contents
        ; AAAAh) and is then remapped to 305000h (BBBBh) without invalidation.
        mov dword [0x304000], 0xAAAA
        mov dword [0x305000], 0xBBBB
        mov eax, cr4
        or eax, 0x80                    ; PGE
        mov cr4, eax
        mov dword [PTE(0x303)], 0x304000 | 0x107
        invlpg [0x303000]
        CHECK_EQ dword [0x303000], 0xAAAA, "global first read"
        mov dword [PTE(0x303)], 0x305000 | 0x107
        mov eax, cr3
        mov cr3, eax
        CHECK_EQ dword [0x303000], 0xAAAA, "global survives CR3"
        invlpg [0x303000]
        CHECK_EQ dword [0x303000], 0xBBBB, "INVLPG removes global"
        mov dword [PTE(0x303)], 0x304000 | 0x107
        mov eax, cr3
        mov cr3, eax
        CHECK_EQ dword [0x303000], 0xBBBB, "global stays stale"
        mov eax, cr4
        and eax, ~0x80
        mov cr4, eax                    ; clearing PGE flushes everything
        CHECK_EQ dword [0x303000], 0xAAAA, "PGE toggle flushes"
        mov dword [PTE(0x306)], 0x304000 | 7
        invlpg [0x306000]
        CHECK_EQ dword [0x306000], 0xAAAA, "non-global first read"
        mov dword [PTE(0x306)], 0x305000 | 7
        mov eax, cr3
        mov cr3, eax
        CHECK_EQ dword [0x306000], 0xBBBB, "CR3 load flushes non-global"
        OK "TLB"

        ; PAE: PDPT -> directory -> table for 0..2 MB (4 KB pages), a 2 MB page at 2 MB mapping
        ; physical 0, a 2 MB entry with a reserved bit at 4 MB, a table entry with an address
        ; bit above 4 GB (reserved on this machine).
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        mov edi, PDPT
        xor eax, eax
        mov ecx, (PAE_PT + 0x1000 - PDPT) / 4
        rep stosd
        mov dword [PDPT], PAE_PD | 1
        mov dword [PAE_PD], PAE_PT | 7
        mov dword [PAE_PD + 8], 0x87
        mov dword [PAE_PD + 16], 0x87 | (1 << 13)
        mov edi, PAE_PT
        mov eax, 7
        mov ecx, 512
.pte:   mov [edi], eax
        add edi, 8
        add eax, 0x1000
        loop .pte
        mov dword [PAE_PT + 0x100 * 8 + 4], 1   ; page 100000h: physical address bit 32
        mov dword [PAE_PT + 0x1FF * 8], 0       ; page 1FF000h: not present
        mov eax, cr4
        or eax, 0x20
        mov cr4, eax
        mov eax, PDPT
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [0x608], 0x55AA55AA
        CHECK_EQ dword [0x200608], 0x55AA55AA, "PAE 2 MB alias"
        CHECK_EQ dword [PAE_PD + 8], 0xA7, "PAE 2 MB A"
        mov esi, 0x400000
        EXPECT 14, 9, 2
        mov eax, [esi]
        PF_AT 9, "PAE 2 MB reserved"
        mov esi, 0x100010
        EXPECT 14, 0xB, 2
        mov [esi], eax
        PF_AT 0xB, "PAE PTE reserved"
        mov esi, 0x1FF000
        EXPECT 14, 4, 2
        USER r3_read
        PF_AT 4, "PAE np user"
        mov esi, 0x600000               ; PD[3]: not present
        EXPECT 14, 2, 2
        mov [esi], eax
        PF_AT 2, "PAE np pde"
        mov esi, 0x40000000             ; PDPT[1]: not present
        EXPECT 14, 0, 2
        mov eax, [esi]
        PF_AT 0, "PAE np pdpte"
        mov eax, [0x1F0000]
        CHECK_EQ dword [PAE_PT + 0x1F0 * 8], 0x1F0000 | 0x27, "PAE A"
        mov dword [0x1F0000], eax
        CHECK_EQ dword [PAE_PT + 0x1F0 * 8], 0x1F0000 | 0x67, "PAE D"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        OK "PAE"
        ALL_OK

r3_read:
        mov eax, [esi]
        int 0x41
r3_write:
        mov [esi], eax
        int 0x41
GUEST_END
