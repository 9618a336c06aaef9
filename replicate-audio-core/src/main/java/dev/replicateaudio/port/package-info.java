/**
 * Ports: the interfaces through which the core reaches Replicate, the network and the database.
 * Adapters implement them ({@code replicate-audio-okhttp}, {@code replicate-audio-jdbi}); hosts may
 * write their own. Every argument and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.port;
