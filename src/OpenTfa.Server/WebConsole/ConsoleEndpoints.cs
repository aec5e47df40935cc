using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Endpoints;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.WebConsole;

/// <summary>
/// The web console under <c>/console</c>: one page and its assets (shipped inside the server,
/// nothing fetched from elsewhere), and the session it signs in with. Everything the console
/// shows or changes goes through the same API endpoints as any client, authenticated by the
/// session cookie. Off when <c>OpenTfa:Console:Enabled</c> is false.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string BasePath = "/console";

    public static bool Enabled(IConfiguration configuration) => configuration.GetValue<bool?>("OpenTfa:Console:Enabled") ?? true;

    public static void MapConsole(this WebApplication app)
    {
        RouteGroupBuilder console = app.MapGroup(BasePath).ExcludeFromDescription();
        console.MapGet("/", Page).AllowAnonymous();
        console.MapGet("/{**path}", Page).AllowAnonymous();
        console.MapGet("/assets/{name}", Asset).AllowAnonymous();
        console.MapPost("/api/session", SignInAsync).AllowAnonymous();
        console.MapGet("/api/session", GetSession).AllowAnonymous();
        console.MapDelete("/api/session", SignOutAsync).RequireAuthorization();
    }

    private static ContentHttpResult Page(HttpContext http)
    {
        ConsoleAssets.Headers(http.Response, cacheable: false);
        string html = ConsoleAssets.Index.Replace("%BASE%", System.Net.WebUtility.HtmlEncode(http.Request.PathBase + BasePath + "/"), StringComparison.Ordinal);
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static IResult Asset(string name, HttpContext http)
    {
        if (ConsoleAssets.Find(name) is not { } asset)
        {
            return Problems.Result(new TfaError(ErrorKind.NotFound, "Not found"));
        }

        ConsoleAssets.Headers(http.Response, cacheable: true);
        http.Response.Headers.ETag = asset.ETag;
        return http.Request.Headers.IfNoneMatch == asset.ETag ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    /// <summary>
    /// Exchanges an API key for a session. Only a JSON body is accepted, so no other site's form
    /// can sign a browser in; wrong keys count against the same failure throttle as the API's.
    /// </summary>
    private static async Task<IResult> SignInAsync(HttpContext http, ConsoleSessions sessions, AuthFailureThrottle throttle, AuditLog audit, CancellationToken cancellationToken)
    {
        NoStore(http.Response);
        Result<SignInRequest> request = await JsonBody.ReadAsync(http.Request, ConsoleJsonContext.Default.SignInRequest, emptyAllowed: false, cancellationToken);
        if (!request.IsSuccess)
        {
            return Problems.Result(request.Error);
        }

        if (request.Value.ApiKey is not { Length: > 0 and <= 512 } apiKey)
        {
            return Problems.Result(TfaError.Field("apiKey", "must be an API key"));
        }

        // As for the API: a valid key always signs in; a wrong one is counted, and a client over the limit is told to wait.
        ConsoleSession? session = await sessions.SignInAsync(apiKey, cancellationToken);
        if (session is null)
        {
            string address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            string? keyId = AccessService.PresentedKeyId(apiKey);
            if (throttle.Blocked(address, keyId) is { } wait)
            {
                return Problems.Result(new TfaError(ErrorKind.TooManyRequests, "Too many failed authentications from this client; try again later", RetryAfter: wait));
            }

            throttle.RecordFailure(address, keyId);
            return Problems.Result(new TfaError(ErrorKind.Unauthorized, ErrorTexts.Unauthorized));
        }

        if (http.Items[typeof(ConsoleSession)] is ConsoleSession previous)
        {
            await sessions.SignOutAsync(previous, cancellationToken);
        }

        ConsoleCookie.Write(http.Response, session.Secret, session.SessionKey.ExpiresAt!.Value);
        await audit.RecordAsync(session.Caller, session.Caller.TenantId, AuditActions.ConsoleSignedIn, "key", session.Caller.Key.Id, $"session {session.SessionKey.Id}", cancellationToken);
        return TypedResults.Json(Describe(session), ConsoleJsonContext.Default.SessionResponse);
    }

    /// <summary>The current session, or 204 when the browser has none (anonymous, so that the page asks without an error).</summary>
    private static IResult GetSession(HttpContext http)
    {
        NoStore(http.Response);
        return http.Items[typeof(ConsoleSession)] is ConsoleSession session
            ? TypedResults.Json(Describe(session), ConsoleJsonContext.Default.SessionResponse)
            : TypedResults.NoContent();
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, ConsoleSessions sessions, AuditLog audit, CancellationToken cancellationToken)
    {
        NoStore(http.Response);
        if (http.Items[typeof(ConsoleSession)] is not ConsoleSession session)
        {
            return Problems.Result(new TfaError(ErrorKind.NotFound, "This request carries no console session"));
        }

        await sessions.SignOutAsync(session, cancellationToken);
        ConsoleCookie.Delete(http.Response);
        await audit.RecordAsync(session.Caller, session.Caller.TenantId, AuditActions.ConsoleSignedOut, "key", session.Caller.Key.Id, $"session {session.SessionKey.Id}", cancellationToken);
        return TypedResults.NoContent();
    }

    private static SessionResponse Describe(ConsoleSession session) => new(
        session.Caller.TenantId,
        session.Caller.Key.Id,
        session.Caller.Key.Name,
        session.Caller.Key.Scopes,
        session.Caller.IsOperatorAdmin,
        session.SessionKey.ExpiresAt!.Value.ToUnixTimeMilliseconds(),
        session.CsrfToken);

    private static void NoStore(HttpResponse response) => response.Headers.CacheControl = "no-store";
}

internal sealed class SignInRequest
{
    public string? ApiKey { get; init; }
}

internal sealed record SessionResponse(string TenantId, string KeyId, string KeyName, IReadOnlyList<string> Scopes, bool OperatorAdmin, long ExpiresAt, string CsrfToken);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(SessionResponse))]
internal sealed partial class ConsoleJsonContext : JsonSerializerContext;
