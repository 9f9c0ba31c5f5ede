package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import sdpo4j.config.ConfigException;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;

class ArithmeticConfigTest {
    @Test
    void productsThatCouldOverflowALongAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ArithmeticConfig(9, List.of("*"), 3, false));
        assertEquals("key 'terms': value 3 is not allowed; allowed: at most 2 with 9-digit operands and * "
                + "(a larger product overflows a 64-bit answer)", e.getMessage());
    }

    @Test
    void theLargestAllowedProductsAreExact() {
        // 6 operands of 3 digits: products up to 999^6 < 10^18, checked against BigInteger.
        ArithmeticConfig cfg = new ArithmeticConfig(3, List.of("*"), 6, false);
        for (var task : Arithmetic.generate(cfg, 50, 3, "t")) {
            java.math.BigInteger product = java.math.BigInteger.ONE;
            for (String operand : ((String) task.get("prompt")).replace("=", "").split("\\*")) {
                product = product.multiply(new java.math.BigInteger(operand));
            }
            assertEquals(product.longValueExact(), ((Number) task.get("answer")).longValue());
        }
        // Sums never overflow, so many large operands stay allowed without *.
        assertEquals(8, new ArithmeticConfig(9, List.of("+", "-"), 8, false).terms());
    }
}
