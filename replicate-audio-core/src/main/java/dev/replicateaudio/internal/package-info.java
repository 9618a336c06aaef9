/**
 * Implementation details of replicate-audio, shared by its own modules. Not API: anything here may
 * break backwards compatibility at any time.
 */
package dev.replicateaudio.internal;
