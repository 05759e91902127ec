#include "frontend/features.h"

#include <unistd.h>

#include <cstdlib>

#include "jit/engine.h"

namespace frontend {

Features host_features() {
  Features features;  // what this build supports so far
  features.serial = true;
  features.jit = jit::Engine::jit_available();  // a compiling backend for this host
  features.kernel = true;  // -kernel/-initrd/-append: Linux bzImage and Multiboot
  features.disks = features.cdrom = features.floppy = true;
  features.snapshot_overlay = true;
  features.gdb = true;  // -s, -gdb (frontend/gdb)  // -snapshot covers every image this build attaches
#ifdef GHOST86_HAVE_SDL
  features.sdl = true;
#endif
#ifdef GHOST86_HAVE_VNC
  features.vnc = true;
#endif
  features.desktop = std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
  if (::access(machine::kSeabiosPath, R_OK) == 0) features.default_bios = machine::kSeabiosPath;
  return features;
}

}  // namespace frontend
