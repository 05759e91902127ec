/* The guest side of fpu_prog.c: output on the debug console (port E9h), entered from stub.asm. */
void x87_main(void);

void x87_out(char c) { __asm__ volatile("outb %0, $0xe9" : : "a"(c)); }

__attribute__((section(".text.entry"))) void x87_entry(void) { x87_main(); }
