using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Auth;

/// <summary>
/// Access control on ASP.NET Core's own primitives: the API-key and console-session schemes, one policy per scope,
/// and a fallback policy that requires a valid key on every endpoint that is not explicitly
/// anonymous — so a route added without a policy is closed, not open.
/// </summary>
internal static class AccessControl
{
    public const string PolicyPrefix = "scope:";

    /// <summary>The API key in the <c>Authorization</c> header; without one, the console's session cookie.</summary>
    public const string SchemeName = "OpenTfa";

    public static string PolicyName(string scope) => PolicyPrefix + scope;

    public static IServiceCollection AddOpenTfaAccessControl(this IServiceCollection services)
    {
        services.AddAuthentication(SchemeName)
            .AddPolicyScheme(SchemeName, null, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count == 0 && ConsoleCookie.Read(context.Request) is not null
                    ? ConsoleSessionAuthenticationHandler.SchemeName
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ConsoleSessionAuthenticationHandler>(ConsoleSessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(options =>
        {
            options.FallbackPolicy = new AuthorizationPolicyBuilder(SchemeName).RequireAuthenticatedUser().Build();
            foreach (string scope in Scopes.All)
            {
                options.AddPolicy(PolicyName(scope), policy => policy
                    .AddAuthenticationSchemes(SchemeName)
                    .RequireAuthenticatedUser()
                    .AddRequirements(new ScopeRequirement(scope)));
            }
        });
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, EnvelopeResultHandler>();
        return services;
    }

    /// <summary>Requires a key holding <paramref name="scope"/> (enforced by <see cref="ScopeHandler"/>).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PolicyName(scope));
}

internal sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

/// <summary>
/// Grants a scope the key holds (<c>2fa:manage</c> also grants <c>2fa:pin:send</c>, and an
/// operator admin key grants <c>opentfa:metrics</c>). A key without the scope is refused —
/// but an unknown or foreign id in the route is refused as not found first, so that a
/// narrow key cannot learn which ids exist.
/// </summary>
internal sealed class ScopeHandler(IApplicationStore applications, IPinStore pins) : AuthorizationHandler<ScopeRequirement>
{
    public const string NotFound = "not-found";

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.Resource is not HttpContext http || http.CallerOrNull() is not { } caller)
        {
            return;
        }

        if (Grants(caller, requirement.Scope))
        {
            context.Succeed(requirement);
            return;
        }

        context.Fail(new AuthorizationFailureReason(this,
            await RouteIdsExistAsync(http, caller.TenantId) ? ErrorTexts.MissingScope(requirement.Scope) : NotFound));
    }

    public static bool Grants(Caller caller, string scope) =>
        caller.Key.HasScope(scope)
        || (scope == Scopes.PinSend && caller.Key.HasScope(Scopes.Manage))
        || (scope == Scopes.Metrics && caller.IsOperatorAdmin);

    /// <summary>Metrics and detailed readiness are the whole service's: only the operator tenant's keys read them.</summary>
    public static bool ReadsServiceMetrics(Caller? caller) => caller is { TenantId: Tenant.OperatorId } && Grants(caller, Scopes.Metrics);

    private async Task<bool> RouteIdsExistAsync(HttpContext http, string tenantId)
    {
        RouteValueDictionary route = http.Request.RouteValues;
        CancellationToken ct = http.RequestAborted;
        if (route.TryGetValue("serviceSid", out object? service) && service is string serviceSid
            && (TwilioSids.IdOf(TwilioSids.ServicePrefix, serviceSid) is not { } serviceId || await applications.GetApplicationAsync(tenantId, serviceId, ct) is null))
        {
            return false;
        }

        if (route.TryGetValue("verificationSid", out object? verification) && verification is string verificationSid
            && (TwilioSids.IdOf(TwilioSids.VerificationPrefix, verificationSid) is not { } verificationId || await pins.GetPinAsync(tenantId, verificationId, ct) is null))
        {
            return false;
        }

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
}

/// <summary>
/// Answers a refused request in its surface's envelope: 401 for a missing or wrong key or an ended
/// console session, 403 for a console change without its CSRF token (429
/// with <c>Retry-After</c> when the client has failed too often), 404 for a foreign id, 403
/// for a missing scope.
/// </summary>
internal sealed class EnvelopeResultHandler : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        TfaError error = authorizeResult.Challenged
            ? context.Items[typeof(ThrottledFailure)] is ThrottledFailure throttled
                ? new TfaError(ErrorKind.TooManyRequests, "Too many failed authentications from this client; try again later", RetryAfter: throttled.RetryAfter)
                : context.Items.ContainsKey(typeof(CsrfFailure))
                    ? new TfaError(ErrorKind.Forbidden, $"A change from the console must carry the session's {ConsoleSessionAuthenticationHandler.CsrfHeader} token and come from this server's origin")
                    : new TfaError(ErrorKind.Unauthorized, ErrorTexts.Unauthorized)
            : Refusal(authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).ToList() ?? []);
        await Surface.ErrorResult(context.Request.Path, error).ExecuteAsync(context);
    }

    private static TfaError Refusal(List<string> reasons) =>
        reasons.Contains(ScopeHandler.NotFound) ? new TfaError(ErrorKind.NotFound, "Not found")
            : new TfaError(ErrorKind.Forbidden, reasons.FirstOrDefault() ?? "This API key may not use this operation");
}
