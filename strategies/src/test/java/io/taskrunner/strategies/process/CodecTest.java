package io.taskrunner.strategies.process;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The compact result codec ('V'), the stateless-lambda test, and the frame header's version. */
class CodecTest {

  @Test
  void encodeValue_roundTripsEveryCompactType() throws Exception {
    List<Object> values =
        Arrays.asList(
            null,
            true,
            false,
            0,
            -1,
            Integer.MIN_VALUE,
            Long.MAX_VALUE,
            -42L,
            Double.NaN,
            -0.0,
            Double.MAX_VALUE,
            "",
            "plain ascii",
            "latin-1 \u00e9\u00ff",
            "beyond latin-1 \u20ac \ud83d\ude00",
            "unpaired \ud800 surrogate");
    for (Object value : values) {
      byte[] encoded = encode(value);
      assertThat(encoded[0]).isEqualTo(Frames.CODEC_VALUE);
      assertThat(Codec.decodeValue(encoded)).as("round trip of %s", value).isEqualTo(value);
    }
    byte[] bytes = {1, 2, 3, -128};
    assertThat((byte[]) Codec.decodeValue(encode(bytes))).containsExactly(bytes);
    assertThat((byte[]) Codec.decodeValue(encode(new byte[0]))).isEmpty();
  }

  private static byte[] encode(@Nullable Object value) {
    byte[] encoded = Codec.encodeValue(value);
    assertThat(encoded).as("encoding of %s", value).isNotNull();
    return requireNonNull(encoded);
  }

  @Test
  void encodeValue_declinesOtherTypes_soTheyUseJavaSerialization() {
    assertThat(Codec.encodeValue(List.of(1))).isNull();
    assertThat(Codec.encodeValue((short) 1)).isNull();
    assertThat(Codec.encodeValue(new Object())).isNull();
    assertThat(Codec.encodeValue(new int[] {1})).isNull();
  }

  @Test
  void decodeValue_malformed_isAProtocolError() {
    assertThatThrownBy(() -> Codec.decodeValue(new byte[] {Frames.CODEC_VALUE}))
        .isInstanceOf(Frames.ProtocolException.class);
    assertThatThrownBy(() -> Codec.decodeValue(new byte[] {Frames.CODEC_VALUE, 3, 0, 0}))
        .isInstanceOf(Frames.ProtocolException.class)
        .hasMessageContaining("tag 3");
    assertThatThrownBy(() -> Codec.decodeValue(new byte[] {Frames.CODEC_VALUE, 7, 0}))
        .isInstanceOf(Frames.ProtocolException.class);
    assertThatThrownBy(() -> Codec.decodeValue(new byte[] {Frames.CODEC_VALUE, 99}))
        .isInstanceOf(Frames.ProtocolException.class)
        .hasMessageContaining("unknown compact value tag 99");
  }

  @Test
  void isStateless_onlyForLambdasThatCaptureNothing() {
    int captured = 7;
    SerializableCallable nothing = () -> 1;
    SerializableCallable something = () -> captured;
    assertThat(Codec.isStateless(nothing.getClass())).isTrue();
    assertThat(Codec.isStateless(something.getClass())).isFalse();
    assertThat(Codec.isStateless(String.class)).isFalse();
  }

  @Test
  void frames_refuseAnotherVersion() {
    byte[] v1 = {0x54, 0x52, 1, (byte) Frames.RESULT, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    assertThatThrownBy(
            () ->
                Frames.read(
                    new java.io.DataInputStream(new java.io.ByteArrayInputStream(v1)), 1024))
        .isInstanceOf(Frames.ProtocolException.class)
        .hasMessageContaining("unsupported protocol version 1 (expected 2)");
  }

  private interface SerializableCallable extends Callable<Integer>, Serializable {}
}
