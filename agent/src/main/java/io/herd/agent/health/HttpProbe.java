package io.herd.agent.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** GET {@code path} on {@code host:port}: a 2xx or 3xx status passes. Redirects are not followed. */
public record HttpProbe(HttpClient client, String host, int port, String path) implements Probe {
    /** A client for probes: no redirects, HTTP/1.1 (what small test servers and most health endpoints speak). */
    public static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public Result run(Duration timeout) throws InterruptedException {
        URI uri = URI.create("http://" + host + ":" + port + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            String message = "GET " + uri + ": HTTP " + status;
            return status >= 200 && status < 400 ? Result.pass(message) : Result.fail(message);
        } catch (HttpTimeoutException e) {
            return Result.fail("GET " + uri + ": no answer within " + timeout.toMillis() + "ms");
        } catch (IOException e) {
            return Result.fail("GET " + uri + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }
}
