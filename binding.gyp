{
  "targets": [
    {
      "target_name": "nfsnode",
      "sources": ["native/nfsnode.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2"]
    }
  ]
}
