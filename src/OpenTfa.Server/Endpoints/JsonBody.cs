using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;
using OpenTfa.Core.Errors;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Reads a JSON request body with precise errors: a wrong content type, malformed JSON, a key
/// given twice, text that is not valid UTF-8, a NUL character, or a value of the wrong JSON
/// type is a 400 naming the field (as a dotted path).
/// </summary>
internal static class JsonBody
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

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

        byte[] raw;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
            raw = buffer.ToArray();
        }

        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
        }

        ReadOnlyMemory<byte> json = WithoutByteOrderMark(raw);
        if (Inspect(json.Span) is { } syntaxError)
        {
            return syntaxError;
        }

        try
        {
            T? value = JsonSerializer.Deserialize(json.Span, type);
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

    /// <summary>
    /// Whether a request carries a JSON body that is worth inspecting before the handler reads
    /// it (the handler itself answers a missing body or a wrong content type).
    /// </summary>
    public static bool HasJsonBody(HttpRequest request) =>
        (request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0))
        && MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    public static ReadOnlyMemory<byte> WithoutByteOrderMark(byte[] raw) =>
        raw.AsSpan().StartsWith(Utf8Bom) ? raw.AsMemory(Utf8Bom.Length) : raw;

    /// <summary>
    /// Refuses what the serializer would let through: a key given twice in one object (which
    /// value wins is a guess, and not every reader guesses alike), text that is not valid
    /// UTF-8 or UTF-16 (also in fields nobody reads), and the NUL character, which no store
    /// can hold. Names the field as a dotted path; <c>null</c> when the body is sound.
    /// </summary>
    public static TfaError? Inspect(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        var frames = new Stack<Frame>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        string path = PathOf(frames, property);
                        Advance(frames);
                        frames.Push(new Frame(path, reader.TokenType == JsonTokenType.StartObject));
                        property = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.Pop();
                        property = null;
                        break;
                    case JsonTokenType.PropertyName:
                        Frame owner = frames.Peek();
                        if (TextProblem(ref reader) is { } nameProblem)
                        {
                            return owner.Path.Length == 0
                                ? new TfaError(ErrorKind.BadRequest, $"Bad request: a property name {nameProblem}")
                                : TfaError.Field(owner.Path, $"has a property name that {nameProblem}");
                        }

                        property = reader.GetString()!;
                        if (!owner.Names!.Add(property))
                        {
                            return TfaError.Field(PathOf(frames, property), "is given more than once; each key may appear only once in an object");
                        }

                        break;
                    case JsonTokenType.String:
                        string field = PathOf(frames, property);
                        Advance(frames);
                        property = null;
                        if (TextProblem(ref reader) is { } valueProblem)
                        {
                            return field.Length == 0 ? new TfaError(ErrorKind.BadRequest, $"Bad request: the body {valueProblem}") : TfaError.Field(field, valueProblem);
                        }

                        break;
                    default:
                        Advance(frames);
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            return new TfaError(ErrorKind.BadRequest, $"Bad request: malformed JSON{Where(ex)}");
        }

        return null;
    }

    private static string? TextProblem(ref Utf8JsonReader reader)
    {
        if (!Utf8.IsValid(reader.ValueSpan))
        {
            return "is not valid UTF-8";
        }

        if (!reader.ValueIsEscaped)
        {
            // Unescaped JSON text cannot hold a control character: the reader refuses it.
            return null;
        }

        try
        {
            return reader.GetString()!.Contains('\0', StringComparison.Ordinal) ? "must not contain the NUL character (\\u0000)" : null;
        }
        catch (InvalidOperationException)
        {
            return "is not valid text (an escaped surrogate without its pair)";
        }
    }

    private static void Advance(Stack<Frame> frames)
    {
        if (frames.TryPeek(out Frame? parent) && !parent.IsObject)
        {
            parent.Index++;
        }
    }

    private static string PathOf(Stack<Frame> frames, string? property)
    {
        if (!frames.TryPeek(out Frame? parent))
        {
            return string.Empty;
        }

        if (parent.IsObject)
        {
            return parent.Path.Length == 0 ? property ?? string.Empty : $"{parent.Path}.{property}";
        }

        return $"{parent.Path}[{parent.Index.ToString(CultureInfo.InvariantCulture)}]";
    }

    private sealed class Frame(string path, bool isObject)
    {
        public string Path { get; } = path;

        public bool IsObject { get; } = isObject;

        public HashSet<string>? Names { get; } = isObject ? new HashSet<string>(StringComparer.Ordinal) : null;

        public int Index { get; set; }
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
        return message.StartsWith("Duplicate propert", StringComparison.Ordinal) ? "is given more than once; each key may appear only once in an object"
            : message.Contains("could not be mapped", StringComparison.Ordinal) ? "is not a field of this object"
            : message.Contains("System.Int32", StringComparison.Ordinal) || message.Contains("System.Int64", StringComparison.Ordinal) ? "must be a whole number"
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
