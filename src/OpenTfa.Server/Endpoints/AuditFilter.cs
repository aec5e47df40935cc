using OpenTfa.Core.Observability;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Marks an endpoint as audited: after it answers 2xx, <see cref="AuditFilter"/> appends an
/// entry naming the caller's key, the action and its target, read from the answer's value
/// (<see cref="TargetOf"/>) or a route value. <see cref="TenantOf"/> picks the tenant acted on
/// when it is not the caller's own (an operator creating a key for a tenant); <see cref="DetailsOf"/>
/// what the entry should say beyond that (the scopes a new key was granted).
/// </summary>
internal sealed record AuditedAction(string Action, string TargetType, Func<object?, string?>? TargetOf, string? RouteValue, Func<object?, string?>? TenantOf, Func<object?, string?>? DetailsOf = null);

internal sealed class AuditFilter(AuditLog audit) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        object? result = await next(context);
        HttpContext http = context.HttpContext;
        if (http.GetEndpoint()?.Metadata.GetMetadata<AuditedAction>() is not { } action
            || result is not IStatusCodeHttpResult { StatusCode: null or (>= 200 and < 300) }
            || http.Items[typeof(Caller)] is not Caller caller)
        {
            return result;
        }

        object? value = (result as IValueHttpResult)?.Value;
        string? target = action.TargetOf?.Invoke(value) ?? (action.RouteValue is { } name ? http.Request.RouteValues[name] as string : null);
        string tenant = action.TenantOf?.Invoke(value) ?? caller.TenantId;
        string? details = action.DetailsOf?.Invoke(value)
            ?? (http.Request.RouteValues["appId"] is string appId && action.TargetType != "application" ? $"application {appId}" : null);
        await audit.RecordAsync(caller, tenant, action.Action, action.TargetType, target, details, http.RequestAborted);
        return result;
    }
}

internal static class AuditEndpointExtensions
{
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string action, string targetType, Func<object?, string?>? targetOf = null, string? routeValue = null, Func<object?, string?>? tenantOf = null, Func<object?, string?>? detailsOf = null)
    {
        builder.WithMetadata(new AuditedAction(action, targetType, targetOf, routeValue, tenantOf, detailsOf));
        return builder.AddEndpointFilter<AuditFilter>();
    }
}
