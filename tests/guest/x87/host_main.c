/* The host side of fpu_prog.c: the same program as a normal process, output on stdout. */
#include <stdio.h>

void x87_main(void);

void x87_out(char c) { putchar(c); }

int main(void) {
  x87_main();
  return 0;
}
