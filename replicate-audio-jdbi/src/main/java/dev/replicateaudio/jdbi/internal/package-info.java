/**
 * Implementation details of replicate-audio-jdbi. Not API: anything here may break backwards
 * compatibility at any time.
 */
package dev.replicateaudio.jdbi.internal;
