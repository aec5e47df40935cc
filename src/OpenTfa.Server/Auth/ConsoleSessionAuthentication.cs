using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Server.Auth;

/// <summary>
/// Authenticates a request by the console's session cookie, as the key that signed in. A change
/// (any method but GET, HEAD and OPTIONS) must also carry the session's CSRF token in
/// <c>X-OpenTfa-Csrf</c> and, when the browser names an <c>Origin</c>, come from this server's
/// own: the SameSite=Strict cookie already keeps other sites out, these close the rest.
/// </summary>
internal sealed class ConsoleSessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ConsoleSessions sessions,
    IOptions<Hosting.OpenTfaOptions> settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ConsoleSession";
    public const string CsrfHeader = "X-OpenTfa-Csrf";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!settings.Value.Console.Enabled || ConsoleCookie.Read(Request) is not { } secret)
        {
            return AuthenticateResult.NoResult();
        }

        // An ended session's cookie stays in the browser until the next sign-in; with 256 random
        // bits behind it there is nothing to guess, so it is refused without counting a failure.
        ConsoleSession? session = await sessions.AuthenticateAsync(secret, Context.RequestAborted);
        if (session is null)
        {
            return AuthenticateResult.Fail("the console session has ended");
        }

        if (!IsSafe(Request.Method) && !(ConsoleSessions.CsrfMatches(secret, Request.Headers[CsrfHeader]) && SameOrigin(Request)))
        {
            Context.Items[typeof(CsrfFailure)] = new CsrfFailure();
            return AuthenticateResult.Fail("missing or wrong CSRF token");
        }

        Context.Items[typeof(ConsoleSession)] = session;
        return ApiKeyAuthenticationHandler.Success(Context, session.Caller, SchemeName);
    }

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private static bool SameOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin
        || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Set on a console request whose change lacked the session's CSRF token or came from another origin.</summary>
internal sealed record CsrfFailure;

/// <summary>
/// The session cookie: HttpOnly, SameSite=Strict, path <c>/</c> (the console calls the API), and
/// over HTTPS Secure with the <c>__Host-</c> prefix, which browsers keep from being set by any
/// other host or path.
/// </summary>
internal static class ConsoleCookie
{
    private const string PlainName = "opentfa-session";
    private const string SecureName = "__Host-opentfa-session";

    public static string? Read(HttpRequest request) =>
        request.Cookies[request.IsHttps ? SecureName : PlainName] is { Length: > 0 and <= 512 } value ? value : null;

    public static void Write(HttpResponse response, string secret, DateTimeOffset expires) =>
        response.Cookies.Append(NameFor(response.HttpContext.Request), secret, Options(response.HttpContext.Request, expires));

    public static void Delete(HttpResponse response) =>
        response.Cookies.Delete(NameFor(response.HttpContext.Request), Options(response.HttpContext.Request, null));

    private static string NameFor(HttpRequest request) => request.IsHttps ? SecureName : PlainName;

    private static CookieOptions Options(HttpRequest request, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
