using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.WebConsole;

/// <summary>
/// The console's session over plain HTTP, as a browser would hold it: the key exchanged for a
/// cookie, CSRF on every change, scopes and revocation following the key, a bounded lifetime.
/// </summary>
public sealed class ConsoleSessionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    // The client's cookie jar expires cookies on the real clock, so the fake one runs years ahead of it:
    // the server, not the jar, must be what ends a session in these tests.
    private static readonly DateTimeOffset Start = new(2036, 12, 4, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SignIn_SetsAnHttpOnlyStrictCookie_AndAnswersTheKeysScopesAndACsrfToken()
    {
        using var browser = new ConsoleBrowser(fixture.Server.BaseAddress);

        (HttpResponseMessage response, JsonNode session) = await browser.SignInAsync(TestServer.BootstrapKey);

        string cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("opentfa-session=otf_", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestServer.BootstrapKey, cookie, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("bootstrap", (string)session["keyId"]!);
        Assert.Equal("operator", (string)session["tenantId"]!);
        Assert.True((bool)session["operatorAdmin"]!);
        Assert.Contains("opentfa:admin", session["scopes"]!.AsArray().Select(s => (string)s!));
        Assert.Matches("^[0-9a-f]{64}$", (string)session["csrfToken"]!);
        Assert.Equal((string)session["csrfToken"]!, (string)(await browser.GetSessionAsync())!["csrfToken"]!);
    }

    [Fact]
    public async Task Changes_NeedTheCsrfToken_AndTheServersOwnOrigin()
    {
        using var browser = new ConsoleBrowser(fixture.Server.BaseAddress);
        (_, JsonNode session) = await browser.SignInAsync(TestServer.BootstrapKey);
        string csrf = (string)session["csrfToken"]!;
        const string App = """{"name":"console csrf"}""";

        HttpResponseMessage without = await browser.SendAsync(HttpMethod.Post, "/2fa/2/applications", App);
        HttpResponseMessage wrong = await browser.SendAsync(HttpMethod.Post, "/2fa/2/applications", App, csrf: new string('0', 64));
        HttpResponseMessage foreign = await browser.SendAsync(HttpMethod.Post, "/2fa/2/applications", App, csrf: csrf, origin: "https://evil.example");
        HttpResponseMessage read = await browser.SendAsync(HttpMethod.Get, "/2fa/2/applications");
        HttpResponseMessage right = await browser.SendAsync(HttpMethod.Post, "/2fa/2/applications", App, csrf: csrf, origin: fixture.Server.BaseAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.Contains("X-OpenTfa-Csrf", await without.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("requestError", await without.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        JsonNode[] apps = (await fixture.Server.Client().GetJsonAsync("/2fa/2/applications").OkAsync()).Body!.AsArray().Where(a => (string)a!["name"]! == "console csrf").ToArray()!;
        Assert.Single(apps);
    }

    [Fact]
    public async Task SignIn_WithAWrongKeyOrAForm_IsRefused_AndSetsNoCookie()
    {
        using var browser = new ConsoleBrowser(fixture.Server.BaseAddress);

        HttpResponseMessage wrong = await browser.PostAsync("/console/api/session", """{"apiKey":"otf_0123456789abcdef_wrong"}""");
        HttpResponseMessage form = await browser.PostAsync("/console/api/session", "apiKey=" + TestServer.BootstrapKey, "application/x-www-form-urlencoded");
        HttpResponseMessage empty = await browser.PostAsync("/console/api/session", "{}");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Contains("application/json", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("apiKey", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(wrong.Headers.Contains("Set-Cookie") || form.Headers.Contains("Set-Cookie") || empty.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(HttpMethod.Get, "/console/api/session")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongKeysAreThrottled_ButAValidKeyAlwaysSignsIn()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:MaxAuthFailuresPerMinute"] = "3" });
        using var browser = new ConsoleBrowser(server.BaseAddress);
        const string Wrong = """{"apiKey":"otf_0123456789abcdef_wrong"}""";

        HttpStatusCode[] statuses = [.. await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => browser.PostAsync("/console/api/session", Wrong).ContinueWith(t => t.Result.StatusCode, TaskScheduler.Default)))];
        HttpResponseMessage throttled = await browser.PostAsync("/console/api/session", Wrong);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);
        await browser.SignInAsync(TestServer.BootstrapKey);
    }

    [Fact]
    public async Task Session_ActsWithTheScopesOfItsKey_AndItsOwnSecretIsNoApiKey()
    {
        HttpClient admin = fixture.Server.Client();
        string sender = await admin.CreateKeyAsync("\"2fa:pin:send\"");
        using var browser = new ConsoleBrowser(fixture.Server.BaseAddress);
        await browser.SignInAsync(sender);

        HttpResponseMessage manage = await browser.SendAsync(HttpMethod.Get, "/2fa/2/applications");
        HttpResponseMessage channels = await browser.SendAsync(HttpMethod.Get, "/opentfa/v1/channels");
        HttpResponseMessage asKey = await fixture.Server.Client(browser.SessionSecret()).GetAsync(new Uri("/opentfa/v1/version", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, manage.StatusCode);
        Assert.Contains("2fa:manage", await manage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, channels.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, asKey.StatusCode);
    }

    [Fact]
    public async Task NoKeyCanPassForASession_ByTakingTheSessionsName()
    {
        HttpClient admin = fixture.Server.Client();

        Reply named = await admin.PostJsonAsync("/opentfa/v1/keys", """{"name":"console:bootstrap","scopes":["2fa:manage"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, named.Status);
        Assert.Contains("console:", named.Json["errors"]!["name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_EndsTheSessionOnTheServer_AndIsAudited()
    {
        using var browser = new ConsoleBrowser(fixture.Server.BaseAddress);
        (_, JsonNode session) = await browser.SignInAsync(TestServer.BootstrapKey);
        string secret = browser.SessionSecret();

        HttpResponseMessage signOut = await browser.SendAsync(HttpMethod.Delete, "/console/api/session", csrf: (string)session["csrfToken"]!);

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Contains("opentfa-session=;", Assert.Single(signOut.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        using var stolen = new ConsoleBrowser(fixture.Server.BaseAddress, secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stolen.SendAsync(HttpMethod.Get, "/2fa/2/applications")).StatusCode);
        string audit = await (await fixture.Server.Client().GetAsync(new Uri("/opentfa/v1/audit?limit=50", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.Contains("console.signed_in", audit, StringComparison.Ordinal);
        Assert.Contains("console.signed_out", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokingTheKey_EndsItsSessions()
    {
        HttpClient admin = fixture.Server.Client();
        string key = await admin.CreateKeyAsync("\"2fa:manage\"");
        using var browser = new ConsoleBrowser(fixture.Server.BaseAddress);
        await browser.SignInAsync(key);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(HttpMethod.Get, "/2fa/2/applications")).StatusCode);

        string keyId = key.Split('_')[1];
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync(new Uri($"/opentfa/v1/keys/{keyId}", UriKind.Relative))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(HttpMethod.Get, "/2fa/2/applications")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(HttpMethod.Get, "/console/api/session")).StatusCode);
    }

    [Fact]
    public async Task Session_EndsAfterItsLifetime()
    {
        var time = new FakeTimeProvider(Start);
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:Console:SessionLifetime"] = "01:00:00" }, time);
        using var browser = new ConsoleBrowser(server.BaseAddress);
        (HttpResponseMessage response, JsonNode session) = await browser.SignInAsync(TestServer.BootstrapKey);
        Assert.Equal(Start.AddHours(1).ToUnixTimeMilliseconds(), (long)session["expiresAt"]!);

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(HttpMethod.Get, "/2fa/2/applications")).StatusCode);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(HttpMethod.Get, "/2fa/2/applications")).StatusCode);
    }

    [Fact]
    public async Task Pages_CarryAStrictContentSecurityPolicy_AndDenyFraming()
    {
        using var anonymous = new ConsoleBrowser(fixture.Server.BaseAddress);

        HttpResponseMessage page = await anonymous.SendAsync(HttpMethod.Get, "/console/applications/anything");
        HttpResponseMessage script = await anonymous.SendAsync(HttpMethod.Get, "/console/assets/console.js");
        HttpResponseMessage missing = await anonymous.SendAsync(HttpMethod.Get, "/console/assets/nothing.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync();
        string csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("<base href=\"/console/\">", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script>|<script [^>]*>[^<]", html);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("https?://", html);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(script.Headers.ETag);
        Assert.DoesNotMatch("(src|href)=\"https?://", await script.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/assets/console.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.Http.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task SwitchedOff_TheConsoleAndItsSignInAreGone()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:Console:Enabled"] = "false" });
        using var browser = new ConsoleBrowser(server.BaseAddress);

        HttpResponseMessage signIn = await browser.PostAsync("/console/api/session", $$"""{"apiKey":"{{TestServer.BootstrapKey}}"}""");
        HttpResponseMessage page = await browser.SendAsync(HttpMethod.Get, "/console/");

        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client().GetAsync(new Uri("/console/", UriKind.Relative))).StatusCode);
        ConsoleSession earlier = (await server.Services.GetRequiredService<ConsoleSessions>().SignInAsync(TestServer.BootstrapKey, CancellationToken.None))!;
        using var withCookie = new ConsoleBrowser(server.BaseAddress, earlier.Secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withCookie.SendAsync(HttpMethod.Get, "/2fa/2/applications")).StatusCode);
    }

    /// <summary>An HTTP client that keeps cookies like a browser and sends what the console's script sends.</summary>
    private sealed class ConsoleBrowser : IDisposable
    {
        private readonly CookieContainer _cookies = new();
        private readonly Uri _base;

        public ConsoleBrowser(Uri baseAddress, string? sessionSecret = null)
        {
            _base = baseAddress;
            Http = new HttpClient(new SocketsHttpHandler { CookieContainer = _cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
            if (sessionSecret is not null)
            {
                _cookies.Add(baseAddress, new Cookie("opentfa-session", sessionSecret));
            }
        }

        public HttpClient Http { get; }

        public async Task<(HttpResponseMessage Response, JsonNode Session)> SignInAsync(string key)
        {
            HttpResponseMessage response = await PostAsync("/console/api/session", new JsonObject { ["apiKey"] = key }.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (response, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }

        public async Task<JsonNode?> GetSessionAsync()
        {
            HttpResponseMessage response = await SendAsync(HttpMethod.Get, "/console/api/session");
            return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }

        public string SessionSecret() => _cookies.GetCookies(_base)["opentfa-session"]!.Value;

        public Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/json") =>
            SendAsync(HttpMethod.Post, path, body, contentType: contentType);

        public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, string? csrf = null, string? origin = null, string contentType = "application/json")
        {
            var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
            }

            if (csrf is not null)
            {
                request.Headers.Add("X-OpenTfa-Csrf", csrf);
            }

            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            return Http.SendAsync(request);
        }

        public void Dispose() => Http.Dispose();
    }
}
