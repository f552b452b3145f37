package io.backlane.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A partition's floats grow up to one Java array's worth, then are refused with advice (a small limit stands in). */
class FloatListTest {
    @Test
    void growsToItsLimitAndRefusesMoreSuggestingRepartitioning() {
        FloatList list = new FloatList(3000);
        float[] row = new float[1000];
        row[999] = 7f;
        for (int i = 0; i < 3; i++) {
            list.add(row, 1000);     // 1024 floats at first, then 2048, then exactly the limit
        }
        assertEquals(3000, list.size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> list.add(1f));
        assertTrue(e.getMessage().contains("more than 3000 floats") && e.getMessage().contains("repartition"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> list.add(row, Integer.MAX_VALUE - 16));
        assertEquals(3000, list.size(), "a refused add adds nothing");
        float[] all = list.toArray();
        assertArrayEquals(new float[] {7f, 0f}, new float[] {all[2999], all[0]});
    }
}
