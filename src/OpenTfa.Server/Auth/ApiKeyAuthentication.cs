using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Auth;

/// <summary>
/// Authenticates a request by the API key in its <c>Authorization</c> header (<c>App</c>,
/// <c>Bearer</c> or bare). A valid key always succeeds; a wrong one is counted against the
/// client's address and the presented key id, and a client over the limit is told to wait
/// (429) instead of being told the key is wrong. A console session's own key is refused here: it
/// is good only in the session cookie (<see cref="ConsoleSessionAuthenticationHandler"/>). No header means no result, not a failure:
/// anonymous endpoints are reached without one.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AccessService access,
    AuthFailureThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        Caller? caller = await access.AuthenticateAsync(header, Context.RequestAborted);
        if (caller is not null && !ConsoleSessions.IsSessionKey(caller.Key))
        {
            return Success(Context, caller, SchemeName);
        }

        string address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        string? keyId = AccessService.PresentedKeyId(header);
        if (throttle.Blocked(address, keyId) is { } wait)
        {
            Context.Items[typeof(ThrottledFailure)] = new ThrottledFailure(wait);
            return AuthenticateResult.Fail("too many failed authentications");
        }

        throttle.RecordFailure(address, keyId);
        Log.AuthenticationFailed(Logger, address, LogPaths.Redact(Request.Path));
        return AuthenticateResult.Fail("invalid API key");
    }

    /// <summary>Makes <paramref name="caller"/> the request's caller.</summary>
    public static AuthenticateResult Success(HttpContext context, Caller caller, string scheme)
    {
        context.Items[typeof(Caller)] = caller;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, caller.Key.Id), new Claim("tenant", caller.TenantId), .. caller.Key.Scopes.Select(s => new Claim("scope", s))],
            scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), scheme));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Authentication failed from {Address} for {Path}")]
        public static partial void AuthenticationFailed(ILogger logger, string address, string path);
    }
}

/// <summary>Set on a request whose wrong key came from a client over the failure limit.</summary>
internal sealed record ThrottledFailure(TimeSpan RetryAfter);

internal static class CallerExtensions
{
    /// <summary>The authenticated caller; every endpoint that is not anonymous has one.</summary>
    public static Caller Caller(this HttpContext context) => (Caller)context.Items[typeof(Caller)]!;

    public static Caller? CallerOrNull(this HttpContext context) => context.Items[typeof(Caller)] as Caller;
}
