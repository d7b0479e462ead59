#!/usr/bin/env node
// Placeholder entry so the build has its bin; the CLI commands live beside this file.
process.exitCode = 0
