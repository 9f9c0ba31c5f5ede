package sdpo4j.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The project's YAML conventions in one mapper: keys are kebab-case ({@code is-clip} binds the
 * record component {@code isClip}), enum values are lower-case kebab-case
 * ({@code advantage-weighted} binds {@code ADVANTAGE_WEIGHTED}), and no scalar is silently
 * coerced ({@code "ten"} is not an integer, {@code 1.5} is not an integer, {@code "true"} is not
 * a boolean).
 */
public final class Yaml {
    private Yaml() {}

    public static final ObjectMapper MAPPER = create();

    /** {@code ADVANTAGE_WEIGHTED -> advantage-weighted}. */
    public static String enumName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static ObjectMapper create() {
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();
        ObjectMapper m = JsonMapper.builder(factory)
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.registerModule(enumModule());
        return m;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static SimpleModule enumModule() {
        SimpleModule module = new SimpleModule("sdpo4j-enums");
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyEnumDeserializer(
                    DeserializationConfig config, JavaType type, BeanDescription beanDesc, JsonDeserializer<?> deserializer) {
                Class<? extends Enum> cls = (Class<? extends Enum>) type.getRawClass();
                return new JsonDeserializer<Enum<?>>() {
                    @Override
                    public Enum<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        String text = p.getValueAsString();
                        for (Enum<?> e : cls.getEnumConstants()) {
                            if (p.currentToken().isScalarValue() && enumName(e).equals(text)) {
                                return e;
                            }
                        }
                        throw InvalidFormatException.from(p, "not an allowed value", p.getText(), cls);
                    }
                };
            }
        });
        module.addSerializer(Enum.class, new StdSerializer<Enum>(Enum.class) {
            @Override
            public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(enumName(value));
            }
        });
        return module;
    }

    /** The allowed values of an enum in YAML spelling, e.g. {@code [sdpo, grpo]}. */
    public static String allowedValues(Class<?> enumType) {
        return Arrays.toString(Arrays.stream(enumType.getEnumConstants()).map(e -> enumName((Enum<?>) e)).toArray());
    }
}
