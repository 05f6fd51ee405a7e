package io.taskrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LoopHttpClientTest {

  @Test
  void concurrentGets_fromOneLoop_allGetTheirOwnResponse() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<LoopHttpClient.Response> responses;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      responses = LoopHttpClient.run(100, out);
    }
    assertThat(responses).hasSize(100);
    for (int i = 0; i < responses.size(); i++) {
      assertThat(responses.get(i).status()).isEqualTo(200);
      assertThat(responses.get(i).body()).isEqualTo("hello /item/" + i);
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("100 HTTP/1.1 GETs from one loop");
  }

  @Test
  void parse_readsStatusAndContentLengthBody_andRejectsGarbage() {
    byte[] raw =
        "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnopeTRAILING"
            .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(LoopHttpClient.parse(raw)).isEqualTo(new LoopHttpClient.Response(404, "nope"));
    assertThatThrownBy(() -> LoopHttpClient.parse("SSH-2.0".getBytes(StandardCharsets.ISO_8859_1)))
        .isInstanceOf(IllegalStateException.class);
  }
}
