/**
 * Test support shared with the other modules through the core's test-jar
 * ({@code <type>test-jar</type>}, test scope): the ffmpeg builds to test against
 * ({@link dev.replicateaudio.testing.TestFfmpeg}), generated audio fixtures
 * ({@link dev.replicateaudio.testing.AudioFixtures}), a JUnit 5 extension failing tests that leak temp
 * files or child processes ({@link dev.replicateaudio.testing.LeakCheckExtension}), and child JVMs for
 * multi-process tests ({@link dev.replicateaudio.testing.ChildJvm}).
 */
package dev.replicateaudio.testing;
