using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;
using OpenTfa.Core.Errors;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Reads a JSON request body with precise errors: a wrong content type, malformed JSON, or a
/// value of the wrong JSON type is a 400 naming the field (as a dotted path).
/// </summary>
internal static class JsonBody
{
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, bool emptyAllowed, CancellationToken cancellationToken)
        where T : class, new()
    {
        bool hasBody = request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody)
        {
            return emptyAllowed ? new T() : new TfaError(ErrorKind.BadRequest, "Bad request: a JSON body is required");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? media)
            || !(media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            return new TfaError(ErrorKind.BadRequest, $"Bad request: the body must be JSON (Content-Type: application/json), not '{request.ContentType}'");
        }

        try
        {
            T? value = await JsonSerializer.DeserializeAsync(request.Body, type, cancellationToken);
            if (value is not null)
            {
                return value;
            }

            return emptyAllowed ? new T() : new TfaError(ErrorKind.BadRequest, "Bad request: the body must be a JSON object");
        }
        catch (JsonException ex)
        {
            string? field = FieldOf(ex.Path);
            return field is null
                ? new TfaError(ErrorKind.BadRequest, $"Bad request: malformed JSON{Where(ex)}")
                : TfaError.Field(field, Expected(ex));
        }
    }

    private static string? FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return null;
        }

        string path = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        return path.Replace("['", ".", StringComparison.Ordinal).Replace("']", string.Empty, StringComparison.Ordinal).TrimStart('.');
    }

    private static string Where(JsonException ex) => ex.LineNumber is { } line ? $" at line {line + 1}, position {ex.BytePositionInLine + 1}" : string.Empty;

    private static string Expected(JsonException ex)
    {
        string message = ex.Message;
        return message.Contains("System.Int32", StringComparison.Ordinal) || message.Contains("System.Int64", StringComparison.Ordinal) ? "must be a whole number"
            : message.Contains("System.Boolean", StringComparison.Ordinal) ? "must be true or false"
            : message.Contains("System.Double", StringComparison.Ordinal) ? "must be a number"
            : message.Contains("System.String", StringComparison.Ordinal) ? "must be a string"
            : message.Contains("Dictionary", StringComparison.Ordinal) ? "must be an object of string values"
            : message.Contains("List", StringComparison.Ordinal) ? "must be an array of strings"
            : "has a value of the wrong JSON type" + Where(ex);
    }

    /// <summary>Reads an optional boolean query parameter; <c>undefined</c> (as some SDKs send for an absent value) counts as absent.</summary>
    public static bool TryQueryBool(HttpRequest request, string name, out bool? value, out TfaError? error)
    {
        value = null;
        error = null;
        string? raw = request.Query[name];
        if (string.IsNullOrEmpty(raw) || raw == "undefined" || raw == "null")
        {
            return true;
        }

        if (bool.TryParse(raw, out bool parsed))
        {
            value = parsed;
            return true;
        }

        error = TfaError.Field(name, $"must be true or false, was '{raw}'");
        return false;
    }
}
