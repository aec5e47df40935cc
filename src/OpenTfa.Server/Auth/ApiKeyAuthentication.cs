using OpenTfa.Core.Errors;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Auth;

/// <summary>Authenticates every request to <c>/2fa/2/*</c> and <c>/opentfa/v1/*</c> by its API key.</summary>
internal sealed partial class ApiKeyAuthenticationMiddleware(RequestDelegate next, AccessService access, AuthFailureThrottle throttle, ILogger<ApiKeyAuthenticationMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        PathString path = context.Request.Path;
        // Gateway callbacks carry no API key; their endpoints authenticate each request themselves.
        if ((!Surface.IsInfobip(path) && !path.StartsWithSegments("/opentfa/v1", StringComparison.OrdinalIgnoreCase))
            || context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }

        string address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.Blocked(address) is { } wait)
        {
            await Deny(context, new TfaError(ErrorKind.TooManyRequests, "Too many failed authentications from this address; try again later", RetryAfter: wait));
            return;
        }

        Caller? caller = await access.AuthenticateAsync(context.Request.Headers.Authorization, context.RequestAborted);
        if (caller is null)
        {
            throttle.RecordFailure(address);
            Log.AuthenticationFailed(logger, address, LogPaths.Redact(path));
            await Deny(context, new TfaError(ErrorKind.Unauthorized, ErrorTexts.Unauthorized));
            return;
        }

        context.Items[typeof(Caller)] = caller;
        await next(context);
    }

    private static Task Deny(HttpContext context, TfaError error) =>
        (Surface.IsInfobip(context.Request.Path) ? InfobipErrors.Result(error) : Problems.Result(error)).ExecuteAsync(context);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Authentication failed from {Address} for {Path}")]
        public static partial void AuthenticationFailed(ILogger logger, string address, string path);
    }
}

internal static class CallerExtensions
{
    public static Caller Caller(this HttpContext context) => (Caller)context.Items[typeof(Caller)]!;
}

/// <summary>Marks an endpoint with the scope its key needs.</summary>
internal sealed record RequiredScope(string Scope);

/// <summary>
/// Refuses a key that lacks the endpoint's scope with 403 — but only once the ids in the route
/// are known to be the caller's: an unknown or foreign id answers 404 first, so that a
/// narrow key cannot learn which ids exist.
/// </summary>
internal sealed class ScopeFilter(IApplicationStore applications, IPinStore pins) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        string? scope = http.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope;
        Caller caller = http.Caller();
        if (scope is null || caller.Key.HasScope(scope) || (scope == Scopes.PinSend && caller.Key.HasScope(Scopes.Manage)))
        {
            return await next(context);
        }

        if (!await RouteIdsExistAsync(http, caller.TenantId))
        {
            return Respond(http, new TfaError(ErrorKind.NotFound, "Not found"));
        }

        return Respond(http, new TfaError(ErrorKind.Forbidden, ErrorTexts.MissingScope(scope)));
    }

    private async Task<bool> RouteIdsExistAsync(HttpContext http, string tenantId)
    {
        RouteValueDictionary route = http.Request.RouteValues;
        CancellationToken ct = http.RequestAborted;
        if (route.TryGetValue("appId", out object? app) && app is string appId)
        {
            if (await applications.GetApplicationAsync(tenantId, appId, ct) is null)
            {
                return false;
            }

            if (route.TryGetValue("msgId", out object? msg) && msg is string msgId && await applications.GetTemplateAsync(tenantId, appId, msgId, ct) is null)
            {
                return false;
            }
        }

        return !(route.TryGetValue("pinId", out object? pin) && pin is string pinId && await pins.GetPinAsync(tenantId, pinId, ct) is null);
    }

    private static IResult Respond(HttpContext http, TfaError error) =>
        Surface.IsInfobip(http.Request.Path) ? InfobipErrors.Result(error) : Problems.Result(error);
}

internal static class ScopeEndpointExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiredScope(scope));
        return builder;
    }
}
