; ghost86 system test guest: every exception vector ordinary code can raise on this P6-class
; processor (0-17; #MC and #XM cannot be), with its error code and the EIP in the frame (faults:
; the faulting instruction; traps: the next one). SDM Vol.3 §6.15 and table 6-1.
%include "lib/guest.inc"

%define SEL_RING1 SEL_FREE          ; DPL-1 code segment: #TS through TSS.SS1
%define SEL_NP    SEL_FREE + 8      ; not-present data segment
%define SEL_SMALL SEL_FREE + 16     ; data segment limited to 1 MB (byte granular)
%define AC_COUNT  TEST_VARS + 0x30  ; #AC taken at ring 3

test_main:
        ; Extra descriptors.
        mov eax, SEL_RING1
        xor ebx, ebx
        mov ecx, 0xFFFFF
        mov edx, 0xC0BB                 ; code, DPL 1, present, 32-bit, 4 KB granular
        call set_desc
        mov eax, SEL_NP
        mov edx, 0xC013                 ; data, DPL 0, not present
        call set_desc
        mov eax, SEL_SMALL
        mov edx, 0x4093                 ; data, present, byte granular: limit FFFFFh
        call set_desc

        ; #DE (fault)
        EXPECT 0, -1, 2
        xor edx, edx
        xor ecx, ecx
        mov eax, 5
.de:    div ecx
        EXPECT_TAKEN "DE"
        CHECK_EQ dword [got_eip], ROM_BASE + .de, "DE eip"
        mov eax, 0x8000                 ; quotient overflow: 8000h / 1 does not fit in AL
        mov ecx, 1
        EXPECT 0, -1, 2
.de2:   div cl
        EXPECT_TAKEN "DE overflow"
        CHECK_EQ dword [got_eip], ROM_BASE + .de2, "DE overflow eip"
        OK "DE"

        ; #DB from INT1/ICEBP (F1h): a trap, EIP after the instruction.
        EXPECT 1, -1, 0
        db 0xF1
.db:    EXPECT_TAKEN "DB"
        CHECK_EQ dword [got_eip], ROM_BASE + .db, "DB eip"
        OK "DB"

        ; #BP from INT3 (CCh) and INT 3 (CD 03): traps.
        EXPECT 3, -1, 0
        int3
.bp:    EXPECT_TAKEN "BP"
        CHECK_EQ dword [got_eip], ROM_BASE + .bp, "BP eip"
        EXPECT 3, -1, 0
        int 3
.bp2:   EXPECT_TAKEN "BP int 3"
        CHECK_EQ dword [got_eip], ROM_BASE + .bp2, "BP int 3 eip"
        OK "BP"

        ; #OF from INTO with OF set (trap); nothing with OF clear.
        mov al, 0x7F
        add al, 1                       ; OF = 1
        EXPECT 4, -1, 0
        into
.of:    EXPECT_TAKEN "OF"
        CHECK_EQ dword [got_eip], ROM_BASE + .of, "OF eip"
        xor eax, eax                    ; OF = 0
        into
        OK "OF"

        ; #BR from BOUND (fault).
        mov dword [TEST_VARS], 10
        mov dword [TEST_VARS + 4], 20
        mov eax, 15
        bound eax, [TEST_VARS]          ; in range: nothing
        mov eax, 21
        EXPECT 5, -1, .bre - .br
.br:    bound eax, [TEST_VARS]
.bre:
        EXPECT_TAKEN "BR"
        CHECK_EQ dword [got_eip], ROM_BASE + .br, "BR eip"
        OK "BR"

        ; #UD: UD2, LOCK on a non-lockable instruction, a register operand of LEA.
        EXPECT 6, -1, 2
.ud:    ud2
        EXPECT_TAKEN "UD"
        CHECK_EQ dword [got_eip], ROM_BASE + .ud, "UD eip"
        EXPECT 6, -1, 3
.ud2:   db 0xF0                         ; LOCK INC EAX: LOCK needs a memory destination
        inc eax
        nop
        EXPECT_TAKEN "UD lock"
        CHECK_EQ dword [got_eip], ROM_BASE + .ud2, "UD lock eip"
        OK "UD"

        ; #NM: an ESC opcode with CR0.EM or CR0.TS set; WAIT with CR0.MP and CR0.TS. Without
        ; them the x87 executes it.
        mov eax, cr0
        or eax, 4                       ; EM
        mov cr0, eax
        EXPECT 7, -1, 2
.nm:    fld1
        EXPECT_TAKEN "NM em"
        CHECK_EQ dword [got_eip], ROM_BASE + .nm, "NM eip"
        mov eax, cr0
        and eax, ~4
        or eax, 0x0A                    ; MP + TS
        mov cr0, eax
        EXPECT 7, -1, 2
        fld1
        EXPECT_TAKEN "NM ts"
        EXPECT 7, -1, 1
.nmw:   wait
        EXPECT_TAKEN "NM wait"
        CHECK_EQ dword [got_eip], ROM_BASE + .nmw, "NM wait eip"
        clts
        wait                            ; MP without TS: nothing
        mov eax, cr0
        and eax, ~0x0E
        mov cr0, eax
        fninit
        fld1                            ; any exception here is unexpected and fails the test
        fstp st0
        OK "NM"

        ; #DF: #GP while its own gate is not present gives #NP during delivery, a contributory
        ; pair (SDM Vol.3 table 6-5). Error code 0; the frame names the first faulting insn.
        and byte [IDT_BASE + 13 * 8 + 5], 0x7F
        mov ax, 0x1230
        EXPECT 8, 0, 2
.df:    mov ds, ax
        EXPECT_TAKEN "DF"
        or byte [IDT_BASE + 13 * 8 + 5], 0x80
        CHECK_EQ dword [got_eip], ROM_BASE + .df, "DF eip"
        OK "DF"

        ; #TS: INT from ring 3 through a gate to ring 1 whose TSS stack selector (SS1 = 10h,
        ; RPL 0) does not match; error code = that selector. A fault on the INT.
        mov dword [TSS_BASE + 12], STACK3 - 0x1000
        mov dword [TSS_BASE + 16], SEL_DATA0
        mov eax, 0x50
        mov ebx, ROM_BASE + ring1_never
        mov ecx, SEL_RING1 | (0xEE << 16)
        call set_gate
        mov eax, ROM_BASE + ring3_ts
        mov ebx, 0x002
        call to_ring3
        EXPECT_TAKEN "TS"
        CHECK_EQ dword [got_err], SEL_DATA0, "TS error"
        CHECK_EQ dword [got_eip], ROM_BASE + ring3_ts.int, "TS eip"
        CHECK_EQ dword [got_cs], SEL_CODE3, "TS cs"
        OK "TS"

        ; #NP: loading a not-present data segment; error code = selector.
        EXPECT 11, SEL_NP, 2
        mov ax, SEL_NP
.np:    mov es, ax
        EXPECT_TAKEN "NP"
        CHECK_EQ dword [got_eip], ROM_BASE + .np, "NP eip"
        OK "NP"

        ; #SS: loading SS with a not-present segment is #SS(selector); a stack-segment access
        ; beyond the limit is #SS(0).
        EXPECT 12, SEL_NP, 2
        mov ax, SEL_NP
.ss:    mov ss, ax
        EXPECT_TAKEN "SS np"
        CHECK_EQ dword [got_eip], ROM_BASE + .ss, "SS np eip"
        mov ax, SEL_SMALL
        mov ss, ax                      ; ESP = STACK0 stays inside the 1 MB limit
        mov ebp, 0x100000
        EXPECT 12, 0, 3
.ss2:   mov eax, [ebp]                  ; 8B 45 00
        EXPECT_TAKEN "SS limit"
        CHECK_EQ dword [got_eip], ROM_BASE + .ss2, "SS limit eip"
        mov ax, SEL_DATA0
        mov ss, ax
        OK "SS"

        ; #GP: a selector beyond the GDT limit, a write through CS, a 4-byte read straddling the
        ; limit of a data segment.
        EXPECT 13, 0x1230, 2
        mov ax, 0x1230
        mov ds, ax
        EXPECT_TAKEN "GP sel"
        EXPECT 13, 0, .gpe - .gp
.gp:    mov [cs:TEST_VARS], eax
.gpe:
        EXPECT_TAKEN "GP cs write"
        CHECK_EQ dword [got_eip], ROM_BASE + .gp, "GP cs write eip"
        mov ax, SEL_SMALL
        mov es, ax
        EXPECT 13, 0, .gp2e - .gp2
.gp2:   mov eax, [es:0xFFFFE]
.gp2e:
        EXPECT_TAKEN "GP limit"
        mov ax, SEL_DATA0
        mov es, ax
        OK "GP"

        ; #MF: with CR0.NE an unmasked x87 exception is reported at the next waiting x87
        ; instruction, as a fault on it with no error code (SDM Vol.3 §6.15 interrupt 16).
        mov eax, cr0
        or eax, 0x20                    ; NE
        mov cr0, eax
        fninit
        fldcw [ROM_BASE + mf_cw]
        fld1
        fldz
        fdivp st1, st0                  ; zero divide, unmasked: pending, no exception yet
        EXPECT 16, -1, 1
.mf:    fwait
        EXPECT_TAKEN "MF"
        CHECK_EQ dword [got_eip], ROM_BASE + .mf, "MF eip"
        fninit                          ; non-waiting: clears the pending exception
        fwait
        mov eax, cr0
        and eax, ~0x20
        mov cr0, eax
        OK "MF"

        ; #AC: at CPL 3 with CR0.AM and EFLAGS.AC, misaligned data accesses fault with error
        ; code 0; aligned ones, bytes, CPL 0 and AC = 0 do not.
        mov eax, cr0
        or eax, 1 << 18
        mov cr0, eax
        mov dword [AC_COUNT], 0
        mov eax, ROM_BASE + ring3_ac
        mov ebx, 0x40002
        call to_ring3
        CHECK_EQ dword [AC_COUNT], 2, "AC count"
        CHECK_EQ dword [got_eip], ROM_BASE + ring3_ac.w, "AC eip"
        pushfd
        or dword [esp], 0x40000
        popfd
        mov eax, [TEST_VARS + 0x21]     ; CPL 0: no check
        pushfd
        and dword [esp], ~0x40000
        popfd
        mov eax, cr0
        and eax, ~(1 << 18)
        mov cr0, eax
        OK "AC"

        ; #PF: a read of a not-present page; CR2 = the address, error code 0.
        call paging_on
        mov dword [PT_BASE + 0x123 * 4], 0
        EXPECT 14, 0, .pfe - .pf
.pf:    mov eax, [0x123456]
.pfe:
        EXPECT_TAKEN "PF"
        CHECK_EQ dword [got_cr2], 0x123456, "PF cr2"
        CHECK_EQ dword [got_eip], ROM_BASE + .pf, "PF eip"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        OK "PF"
        ALL_OK

        bits 32
mf_cw:  dw 0x037B                        ; default control word with ZM clear

ring3_ts:
        EXPECT 10, -1, 2                ; DS is flat at ring 3: EXPECT writes work
.int:   int 0x50
        int 0x41
ring1_never:
        ud2

%macro AC_FAULT 1+
        EXPECT 17, 0, %%e - %%s
%%s:    %1
%%e:    mov eax, [got_count]
        add [AC_COUNT], eax
%endmacro
ring3_ac:
        mov eax, [TEST_VARS + 0x20]     ; aligned
        mov ax, [TEST_VARS + 0x22]
        mov al, [TEST_VARS + 0x23]
        AC_FAULT mov eax, [TEST_VARS + 0x21]
        EXPECT 17, 0, .we - .w
.w:     mov [TEST_VARS + 0x23], ax
.we:    mov eax, [got_count]
        add [AC_COUNT], eax
        pushfd                          ; AC off: no check
        and dword [esp], ~0x40000
        popfd
        mov eax, [TEST_VARS + 0x21]
        int 0x41
GUEST_END
