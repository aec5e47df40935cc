using OpenTfa.Core.Errors;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Server.Errors;

/// <summary>
/// Ids in the path and values in the query (appId, pinId, msgId, webhookId, keyId,
/// destination, msisdn, tenantId…) are single-line identifiers: a control character in one
/// is a 400 naming it, checked once before any handler. NUL matters most: PostgreSQL text
/// cannot hold it, so it would otherwise surface as a store failure. Gateways' delivery
/// reports may carry free text in their query, so there only NUL is refused.
/// </summary>
internal static class RequestTextCheck
{
    public static TfaError? Find(HttpContext context)
    {
        PathString path = context.Request.Path;
        if (!Surface.IsInfobip(path) && !Surface.IsOwn(path) && !Surface.IsTwilio(path))
        {
            return null;
        }

        foreach ((string name, object? value) in context.Request.RouteValues)
        {
            if (value is string text && Problem(text, singleLine: true) is { } problem)
            {
                return TfaError.Field(name, problem);
            }
        }

        bool gateway = path.StartsWithSegments(CallbackPaths.Root, StringComparison.OrdinalIgnoreCase);
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in context.Request.Query)
        {
            if (Problem(name, singleLine: true) is { } nameProblem)
            {
                return new TfaError(ErrorKind.BadRequest, $"Bad request: a query parameter name {nameProblem}");
            }

            foreach (string? value in values)
            {
                if (value is not null && Problem(value, singleLine: !gateway) is { } problem)
                {
                    return TfaError.Field(name, problem);
                }
            }
        }

        return null;
    }

    private static string? Problem(string value, bool singleLine) =>
        value.Contains('\0', StringComparison.Ordinal) ? "must not contain the NUL character"
        : singleLine && value.Any(char.IsControl) ? "must not contain control characters"
        : null;
}
