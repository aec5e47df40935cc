using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenTfa.Server.Auth;

namespace OpenTfa.Server.OpenApi;

/// <summary>
/// What every operation shares, added from the endpoint's own metadata: the keys and scopes
/// it needs, the error answers it can give in its surface's shape (the Infobip envelope on
/// <c>/2fa/2</c>, ProblemDetails elsewhere) with <c>Retry-After</c> on 429 and 503, the
/// <c>Idempotency-Key</c> header, and query parameters a handler reads itself (or binds, when it describes them).
/// </summary>
internal static class Operations
{
    public const string AppScheme = "App";
    public const string BearerScheme = "Bearer";

    private static readonly (int Status, string Description)[] Errors =
    [
        (StatusCodes.Status400BadRequest, "The request is invalid: a field, query value or path id is missing, malformed or out of range (named in the answer)."),
        (StatusCodes.Status401Unauthorized, "No API key, or a key that is unknown, revoked or expired."),
        (StatusCodes.Status403Forbidden, "The key lacks the scope this operation needs, or the action is refused (a disabled application, a protection rule)."),
        (StatusCodes.Status404NotFound, "No such resource for this key's tenant, in the path or named by a query value (a foreign id answers the same)."),
        (StatusCodes.Status409Conflict, "A request with the same Idempotency-Key is still being processed."),
        (StatusCodes.Status413PayloadTooLarge, "The body is larger than the server accepts (64 KB by default)."),
        (StatusCodes.Status422UnprocessableEntity, "The Idempotency-Key was used before with another body or on another operation."),
        (StatusCodes.Status429TooManyRequests, "A rate limit was reached (or too many failed authentications came from this client); Retry-After says when to try again."),
        (StatusCodes.Status503ServiceUnavailable, "The store is unavailable or cannot write; Retry-After says when to try again."),
    ];

    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        IList<object> metadata = context.Description.ActionDescriptor.EndpointMetadata;
        string path = "/" + (context.Description.RelativePath ?? string.Empty);
        bool anonymous = metadata.OfType<IAllowAnonymous>().Any();
        bool callback = metadata.OfType<CallbackDoc>().Any();
        bool idempotent = metadata.OfType<IdempotentDoc>().Any();
        operation.RequestBody?.Content?.Remove(OperationDocs.AnyContentType);
        if (SeedExamples.For(operation.OperationId) is { } seed)
        {
            if (seed.Request is not null && operation.RequestBody?.Content?.TryGetValue(OperationDocs.Json, out OpenApiMediaType? request) == true)
            {
                request.Example = seed.Request;
            }

            if (operation.Responses?.TryGetValue("200", out IOpenApiResponse? answered) == true && answered.Content?.TryGetValue(OperationDocs.Json, out OpenApiMediaType? answer) == true)
            {
                answer.Example = seed.Response;
            }
        }

        foreach (QueryParameterDoc query in metadata.OfType<QueryParameterDoc>())
        {
            // A parameter the handler binds itself is described here instead of twice.
            operation.Parameters ??= [];
            foreach (IOpenApiParameter bound in operation.Parameters.Where(p => p.In == ParameterLocation.Query && p.Name == query.Name).ToList())
            {
                operation.Parameters.Remove(bound);
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = query.Required,
                Description = query.Description,
                Schema = new OpenApiSchema { Type = query.Type },
            });
        }

        if (idempotent)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key",
                In = ParameterLocation.Header,
                Description = "Makes a retry safe: the same key with the same body within 24 hours answers the first answer again (with Idempotency-Replayed: true) instead of sending another PIN. 1 to 255 printable ASCII characters.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
            });
        }

        if (anonymous)
        {
            // No key: an empty requirement says so.
            operation.Security = [new OpenApiSecurityRequirement()];
        }
        else
        {
            List<string> scopes = metadata.OfType<IAuthorizeData>()
                .Select(a => a.Policy)
                .OfType<string>()
                .Where(p => p.StartsWith(AccessControl.PolicyPrefix, StringComparison.Ordinal))
                .Select(p => p[AccessControl.PolicyPrefix.Length..])
                .Distinct(StringComparer.Ordinal)
                .ToList();
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AppScheme, context.Document)] = scopes },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = scopes },
            ];
            if (scopes.Count > 0)
            {
                operation.Description = $"{operation.Description}{(operation.Description is null ? null : "\n\n")}Needs a key with scope `{string.Join("` or `", scopes)}`.";
            }
        }

        bool infobip = path.StartsWith("/2fa/", StringComparison.Ordinal);
        bool hasBody = operation.RequestBody is not null;
        bool hasPathIds = path.Contains('{', StringComparison.Ordinal);
        bool hasQuery = operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true;
        bool hasInput = hasBody || hasPathIds || hasQuery;
        operation.Responses ??= [];
        foreach ((int status, string description) in Errors)
        {
            string key = status.ToString(CultureInfo.InvariantCulture);
            operation.Responses.TryGetValue(key, out IOpenApiResponse? declared);
            bool applies = status switch
            {
                StatusCodes.Status400BadRequest => hasInput,
                StatusCodes.Status401Unauthorized => !anonymous,
                StatusCodes.Status403Forbidden or StatusCodes.Status429TooManyRequests => !anonymous || callback,
                StatusCodes.Status404NotFound => (hasPathIds || hasQuery) && (!anonymous || callback),
                StatusCodes.Status409Conflict or StatusCodes.Status422UnprocessableEntity => idempotent,
                StatusCodes.Status413PayloadTooLarge => hasBody,
                _ => !anonymous || callback || declared is not null,
            };
            if (!applies)
            {
                continue;
            }

            // An answer the endpoint declares itself (readiness: 503 with its own body) also takes the error shape.
            var response = declared as OpenApiResponse ?? new OpenApiResponse { Description = description };
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            response.Content.TryAdd(infobip ? OperationDocs.Json : "application/problem+json", new OpenApiMediaType
            {
                Schema = new OpenApiSchemaReference(infobip ? Document.InfobipError : Document.Problem, context.Document),
            });
            if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers[Document.RetryAfter] = new OpenApiHeaderReference(Document.RetryAfter, context.Document);
            }

            operation.Responses[key] = response;
        }

        if (idempotent && operation.Responses.TryGetValue("200", out IOpenApiResponse? ok) && ok is OpenApiResponse success)
        {
            success.Headers ??= new Dictionary<string, IOpenApiHeader>();
            success.Headers["Idempotency-Replayed"] = new OpenApiHeader
            {
                Description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["true"] },
            };
        }

        return Task.CompletedTask;
    }
}
