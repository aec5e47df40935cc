using Microsoft.OpenApi;

namespace OpenTfa.Server.OpenApi;

/// <summary>A query parameter that a handler reads itself, so that the document still lists it.</summary>
internal sealed record QueryParameterDoc(string Name, JsonSchemaType Type, string Description, bool Required = false);

/// <summary>A provider's callback: no API key, but the request itself is authenticated (a token, a signature, a seal).</summary>
internal sealed record CallbackDoc;

/// <summary>An operation that honours an <c>Idempotency-Key</c> header.</summary>
internal sealed record IdempotentDoc;

/// <summary>
/// How an endpoint is described in the OpenAPI document: its operation id and summary, the JSON
/// body it reads and the answer it writes (handlers read bodies and write answers themselves, so
/// the document learns them from here), and query parameters a handler reads by hand. Errors,
/// security and common headers are added for every operation by <see cref="ApiDocs"/>.
/// </summary>
internal static class OperationDocs
{
    public const string Json = "application/json";

    /// <summary>Names the operation (its <c>operationId</c>) and says what it does.</summary>
    public static RouteHandlerBuilder Operation(this RouteHandlerBuilder builder, string id, string summary, string? description = null)
    {
        builder.WithName(id).WithSummary(summary);
        return description is null ? builder : builder.WithDescription(description);
    }

    /// <summary>The JSON body the operation reads.</summary>
    /// <remarks>
    /// Declared for any content type as well: routing refuses a content type that no endpoint
    /// accepts with an empty 415, where OpenTfa answers 400 in the surface's own error shape. The
    /// document shows only JSON (<see cref="AnyContentType"/> is removed from it).
    /// </remarks>
    public static RouteHandlerBuilder Takes<TRequest>(this RouteHandlerBuilder builder)
        where TRequest : notnull => builder.Accepts<TRequest>(Json, AnyContentType);

    public const string AnyContentType = "*/*";

    /// <summary>The JSON answer of a success.</summary>
    public static RouteHandlerBuilder Answers<TResponse>(this RouteHandlerBuilder builder, int status = StatusCodes.Status200OK) =>
        builder.Produces<TResponse>(status, Json);

    /// <summary>A success without a body.</summary>
    public static RouteHandlerBuilder AnswersNoContent(this RouteHandlerBuilder builder) => builder.Produces(StatusCodes.Status204NoContent);

    /// <summary>A query parameter the handler reads itself.</summary>
    public static RouteHandlerBuilder Query(this RouteHandlerBuilder builder, string name, JsonSchemaType type, string description, bool required = false) =>
        builder.WithMetadata(new QueryParameterDoc(name, type, description, required));

    /// <summary>The operation honours an <c>Idempotency-Key</c>.</summary>
    public static TBuilder Idempotent<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new IdempotentDoc());
}
