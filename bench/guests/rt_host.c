/* The host side of the benchmark runtime: runs a workload natively and prints the line its
 * guest build prints, so the guest's checksum is checked against an independent computation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

int main(int argc, char** argv) {
  uint32_t scale = bench_default_scale;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "scale=", 6) == 0) scale = (uint32_t)strtoul(argv[i] + 6, NULL, 10);
  }
  printf("%s checksum=%08x\n", bench_name, (unsigned)bench_run(scale));
  return 0;
}
