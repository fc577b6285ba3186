{
  "targets": [
    {
      "target_name": "tsvisor",
      "sources": [
        "src/addon.c",
        "src/memfile.c",
        "src/ptrace.c",
        "src/watcher.c",
        "src/hostio.c",
        "src/hostfs.c",
        "src/uvpoll.c",
        "src/confine.c"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "cflags!": ["-fno-exceptions"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    }
  ]
}
